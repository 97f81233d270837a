namespace Poddle.Core.Fleet;

/// <summary>What the database says of one Poddle-labelled pod.</summary>
internal enum FleetPodClass
{
    /// <summary>A live replica or worker owns it (or owns no pod yet and this is the one being started for it).</summary>
    Known,

    /// <summary>
    /// A row names it by its labels but not as its pod: a new pod whose row is saved once the start returns (a restart,
    /// a recovery), or the leftover of a replica or worker its controller is ending. An orphan only if it stays so for
    /// <see cref="FleetOptions.OrphanGrace"/>.
    /// </summary>
    Pending,

    /// <summary>No row at all (unknown kind, id or replica; a deleted deployment or pool): an orphan at once.</summary>
    Orphan,
}
