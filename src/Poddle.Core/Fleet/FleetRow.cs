using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Fleet;

/// <summary>A live replica or worker row that records a pod: its kind, deployment or pool id, replica or worker id, and pod handle parts.</summary>
internal sealed record FleetRow(string Kind, Guid Id, string Replica, string PodId, int StateVersion, string DriverState)
{
    /// <summary>The labels the row's pod was made with that identify it (enough to inspect it).</summary>
    public IReadOnlyDictionary<string, string> Labels => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PodLabels.Kind] = Kind,
        [PodLabels.Id] = Id.ToString("N"),
        [PodLabels.Replica] = Replica,
    };
}
