using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Jobs;

/// <summary>
/// The start-up check of the job kinds features name across each other: every kind a <see cref="JobLane"/> runs or a
/// <see cref="JobReadinessGate"/> holds back has a handler (<see cref="JobsServiceCollectionExtensions.AddJobHandler{THandler}"/>),
/// so a kind that points at nothing stops the start instead of its jobs going dead one by one. It runs with the
/// validation of the "Jobs" options; it builds no handler (it asks the container which keys are registered).
/// </summary>
public sealed class JobKindsValidator(
    IEnumerable<JobLane> lanes, IEnumerable<JobReadinessGate> gates, IServiceProviderIsKeyedService registered) : IValidateOptions<JobsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var failures = new List<string>();
        foreach (var lane in lanes)
        {
            failures.AddRange(lane.Kinds.Where(k => !HasHandler(k)).Select(k =>
                $"The job lane '{lane.Name}' runs kind '{k}', which has no handler (register one with AddJobHandler)."));
        }

        foreach (var gate in gates)
        {
            failures.AddRange(gate.Kinds.Where(k => !HasHandler(k)).Select(k =>
                $"The readiness gate '{gate.Name}' holds back kind '{k}', which has no handler (register one with AddJobHandler)."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private bool HasHandler(string kind) => registered.IsKeyedService(typeof(IJobHandler), kind);
}
