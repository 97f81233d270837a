namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Ends a run from the inside out, by killing the sandbox's init (pid 1 of bwrap's pid namespace): the kernel then
/// kills every process of that namespace and the init reaps them, bwrap (its parent) reaps the init and exits with
/// 128+9 as for any command killed by SIGKILL, and its own parent (unshare when the server is root, see
/// Isolation/SandboxCommandBuilder) returns that status. Killing the started process first instead orphans what is below
/// it: it is reparented to the host's pid 1 (or the nearest subreaper), dies there, and stays a zombie of the sandbox
/// uid until that process reaps it, which an init that reaps lazily, or a container whose pid 1 is the server, may
/// never do promptly. (unshare also cannot pass on a death by SIGKILL: it exits 1 with "sigprocmask unblock failed".)
/// </summary>
internal static class SandboxInit
{
    /// <summary>
    /// SIGKILLs the sandbox's init: the children of bwrap, which is <paramref name="startedPid"/> itself
    /// (<paramref name="bwrapDepth"/> 0) or its child (1). False when there is no init yet (the namespace is not
    /// created) or the children cannot be read (a kernel without CONFIG_PROC_CHILDREN); the caller then kills the
    /// started process. (Between reading a child's pid and the kill, the child could exit, be reaped and its pid be
    /// reused only if the host went through every pid in between: the same trade-off as killing the pids read from
    /// cgroup.procs.)
    /// </summary>
    public static bool Kill(int startedPid, int bwrapDepth)
    {
        var bwrap = startedPid;
        for (var level = 0; level < bwrapDepth; level++)
        {
            if (Children(bwrap).FirstOrDefault() is not (> 1 and var child))
            {
                return false;
            }

            bwrap = child;
        }

        var killed = false;
        foreach (var init in Children(bwrap))
        {
            killed |= NativeMethods.Kill(init, NativeMethods.SigKill) == 0;
        }

        return killed;
    }

    private static List<int> Children(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var children = new List<int>();
        foreach (var field in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(field, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var child) && child > 1)
            {
                children.Add(child);
            }
        }

        return children;
    }
}
