namespace Poddle.Drivers.Sandbox;

/// <summary>What a sweep of leftovers removed, and what it could not (with why).</summary>
internal sealed class SweepResult
{
    public List<string> Removed { get; } = [];

    public List<(string What, string Error)> Failures { get; } = [];
}
