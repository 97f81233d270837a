using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Languages;

namespace Poddle.Cli.Commands.Hosting;

/// <summary>
/// `poddle doctor --json`: the sandbox's readiness on this machine. <c>Toolchains</c> lists every language, offered or
/// not and why: the server's own verdict (<see cref="SandboxCodeExecutor.Languages"/>).
/// </summary>
internal sealed record DoctorReport(
    string Isolation,
    string Summary,
    string? Reason,
    bool Root,
    BubblewrapReport Bubblewrap,
    UserNamespacesReport UserNamespaces,
    CgroupsReport Cgroups,
    PodsReport Pods,
    IReadOnlyList<LanguageVerdict> Toolchains);
