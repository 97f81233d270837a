namespace Poddle.Drivers.Sandbox;

/// <summary>Who started a run, as its id tells (<see cref="RunIds.OwnerOf"/>).</summary>
internal enum RunOwner
{
    /// <summary>A server that is still running (this one, or another on the same host): never touched.</summary>
    Alive,

    /// <summary>A server that is gone: what the run left is a leftover.</summary>
    Gone,

    /// <summary>An older Poddle, whose ids do not name their server.</summary>
    Unknown,

    /// <summary>Not a run id at all.</summary>
    NotARun,
}
