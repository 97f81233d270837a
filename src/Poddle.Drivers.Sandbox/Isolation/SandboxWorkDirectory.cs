namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// A sandbox's working directory: <paramref name="RelativePath"/> under <paramref name="HostRoot"/> (the work root or
/// the pod state directory), mounted at <paramref name="Target"/>. As root, <paramref name="HostRoot"/> is bound into
/// the staging tmpfs and bwrap binds the directory from there: the sandbox's uid needs search permission on
/// <paramref name="HostRoot"/> itself and below, never above it (a 0700 data directory or home is fine).
/// </summary>
internal sealed record SandboxWorkDirectory(string HostRoot, string RelativePath, string Target, bool Writable);
