using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Compliance;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

/// <summary>
/// The driver compliance suite on <see cref="FakePodDriver"/>, the driver the controller tests trust: its lifecycle,
/// labels, listing, waits, stops, destroys, logs, stats, recovery and handles are held to the same contract as the real
/// drivers'. The fake runs no shell, so each script of the suite is translated here into what its process does
/// (<see cref="FakePodScript"/>: what it prints, when and how it exits, what it does with SIGTERM); a script the
/// translation does not know fails the test, so a new compliance test gets a translation. What the fake cannot do at
/// all it declares through its capabilities, as the real drivers do (no network isolation).
/// </summary>
public sealed class FakePodDriverComplianceTests : PodDriverComplianceTests
{
    private const string ServeHttp = "serve HTTP on $PORT";

    protected override string HttpServerScript => ServeHttp;

    protected override Task<IPodDriver> CreateDriverAsync() =>
        Task.FromResult<IPodDriver>(new FakePodDriver(TimeProvider.System) { Script = Translate });

    // The fake's pods live in its memory, so the restarted "process" is the same object, detached from every pod
    // (releasing it twice, as the suite then does, is harmless).
    protected override Task<IPodDriver> CreateRestartedDriverAsync()
    {
        var fake = (FakePodDriver)Driver;
        fake.SimulateDriverRestart();
        return Task.FromResult<IPodDriver>(fake);
    }

    protected override PodSpec ShellSpec(
        string script, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> env, int? port, PodResources resources) =>
        new("compliance", labels, null, ["/bin/sh", "-c", script], null, env, port, resources);

    /// <summary>What the process of each of the suite's scripts does, as a <see cref="FakePodScript"/>.</summary>
    private static FakePodScript Translate(PodSpec spec)
    {
        var script = spec.Command![2];
        var process = new FakePodScript(Narrate: false, CpuNanoseconds: 1_000_000);
        return script switch
        {
            "exit 0" => process with { ExitAfter = TimeSpan.Zero, ExitCode = 0 },
            "echo starting; exit 3" => process with { Output = [("stdout", "starting")], ExitAfter = TimeSpan.Zero, ExitCode = 3 },
            "sleep 60" or ServeHttp => process,
            "echo \"greeting=$GREETING port=$PORT\"" => process with
            {
                Output = [("stdout", $"greeting={spec.Env.GetValueOrDefault("GREETING")} port={spec.Port}")],
                ExitAfter = TimeSpan.Zero,
                ExitCode = 0,
            },
            "echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; echo four" => process with
            {
                Output = [("stdout", "one"), ("stderr", "two"), ("stdout", "three"), ("stdout", "four")],
                ExitAfter = TimeSpan.Zero,
                ExitCode = 0,
            },
            _ when script.StartsWith("i=0; while [ $i -lt 100 ]; do echo line$i;", StringComparison.Ordinal) =>
                process with { Output = [.. Enumerable.Range(0, 100).Select(i => ("stdout", $"line{i}"))] },
            _ when script.StartsWith("i=0; while [ $i -lt 200000 ]", StringComparison.Ordinal) => process,
            _ when script.StartsWith("trap 'echo got-term; exit 0' TERM; echo ready;", StringComparison.Ordinal) =>
                process with { Output = [("stdout", "ready")], OnTerm = FakeTermHandling.ExitsCleanly },
            _ when script.StartsWith("trap '' TERM; echo ready;", StringComparison.Ordinal) =>
                process with { Output = [("stdout", "ready")], OnTerm = FakeTermHandling.Ignores },
            _ when script.StartsWith("x=$(head -c 200000000 /dev/zero", StringComparison.Ordinal) =>
                process with { ExitAfter = TimeSpan.Zero, OomKilled = true },
            _ => throw new PodDriverException(PodFailureKind.Other, $"the fake has no translation of the compliance script '{script}'"),
        };
    }
}
