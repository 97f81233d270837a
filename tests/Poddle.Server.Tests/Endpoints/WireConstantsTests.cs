using System.Reflection;
using Poddle.Contracts;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Deployments;
using Poddle.Core.Executions;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// Core does not reference Contracts, so the wire values both spell are held together here: what the server writes is
/// what the CLI and the agent compare with.
/// </summary>
public sealed class WireConstantsTests
{
    [Fact]
    public void PodHealthStatuses_EveryCoreConstant_EqualsContractsConstantOfSameName()
    {
        var contracts = Constants(typeof(HealthStatuses));
        var core = Constants(typeof(PodHealthStatuses));

        Assert.NotEmpty(core);
        foreach (var (name, value) in core)
        {
            Assert.True(contracts.TryGetValue(name, out var wire), $"HealthStatuses has no {name}");
            Assert.Equal(wire, value);
        }
    }

    [Fact]
    public void DeploymentStatuses_MatchDeploymentStatusEnum_ValueForValue()
    {
        var wire = Enum.GetNames<DeploymentStatus>().Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal);

        Assert.Equal(wire, Constants(typeof(DeploymentStatuses)).Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReplicaPhases_MatchReplicaPhaseEnum_ValueForValue()
    {
        var wire = Enum.GetNames<ReplicaPhase>().Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal);

        Assert.Equal(wire, Constants(typeof(ReplicaPhases)).Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SubmissionStatuses_MatchSubmissionStatusEnum_ValueForValue()
    {
        var wire = Enum.GetNames<SubmissionStatus>().Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal);

        Assert.Equal(wire, Constants(typeof(SubmissionStatuses)).Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ExecutionStatuses_MatchExecutionStatusEnum_ValueForValue()
    {
        var wire = Enum.GetNames<ExecutionStatus>().Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal);

        Assert.Equal(wire, Constants(typeof(ExecutionStatuses)).Values.Order(StringComparer.Ordinal));
    }

    private static Dictionary<string, string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!, StringComparer.Ordinal);
}
