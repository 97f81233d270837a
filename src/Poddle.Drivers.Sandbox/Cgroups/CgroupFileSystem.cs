namespace Poddle.Drivers.Sandbox.Cgroups;

/// <summary>
/// How cgroup directories are made and removed. On a cgroup filesystem mkdir creates the control files and rmdir
/// removes a directory that still lists them; the tests replace this to run the controllers against a fake tree of
/// plain files (the only way to exercise v2 on this v1 CI machine).
/// </summary>
internal class CgroupFileSystem
{
    public static CgroupFileSystem Real { get; } = new();

    public virtual void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public virtual void DeleteDirectory(string path) => Directory.Delete(path);
}
