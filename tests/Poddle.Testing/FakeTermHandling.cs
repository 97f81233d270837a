namespace Poddle.Testing;

/// <summary>What a <see cref="FakePodDriver"/> pod's process does with the SIGTERM of a stop (<see cref="FakePodScript.OnTerm"/>).</summary>
public enum FakeTermHandling
{
    /// <summary>It dies of the signal (exit code 143, signal 15): a process without a handler.</summary>
    Dies,

    /// <summary>It handles the signal and exits with code 0.</summary>
    ExitsCleanly,

    /// <summary>It ignores the signal, so the stop kills it after the grace period (exit code 137, signal 9).</summary>
    Ignores,
}
