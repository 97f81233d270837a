using Microsoft.AspNetCore.Http;
using Poddle.Contracts;
using Poddle.Core.Deployments;

namespace Poddle.Server.Endpoints;

/// <summary>Deployments → contracts: what of a deployment leaves the server (secret keys, never values).</summary>
internal static class DeploymentMappings
{
    public static NewDeployment ToInput(this CreateDeploymentRequest request) => new(
        request.Name,
        request.Image,
        request.Command,
        request.SourceId,
        request.Port,
        request.Env,
        request.Secrets,
        request.Resources?.ToInput(),
        request.Replicas,
        request.HealthCheck?.ToInput(),
        request.Driver)
    {
        Security = request.Security?.ToInput(),
        RegistryAuth = request.RegistryAuth?.ToInput(),
    };

    public static DeploymentChanges ToInput(this UpdateDeploymentRequest request) => new(
        request.Image,
        request.Command,
        request.SourceId,
        request.Port,
        request.Env,
        request.Secrets,
        request.Resources?.ToInput(),
        request.HealthCheck?.ToInput())
    {
        Security = request.Security?.ToInput(),
        RegistryAuth = request.RegistryAuth?.ToInput(),
    };

    public static DeploymentResponse ToResponse(this DeploymentView view, HttpRequest request, DeploymentOptions options)
    {
        var deployment = view.Deployment;
        var spec = view.Spec;
        return new DeploymentResponse(
            deployment.Id,
            deployment.ProjectId,
            deployment.Name,
            deployment.Driver,
            deployment.Status.ToString().ToLowerInvariant(),
            deployment.StatusReason,
            DeploymentHostNames.Url(deployment.Name, view.ProjectName, options.BaseDomain, request.IsHttps, request.Host.Port).GetLeftPart(UriPartial.Authority),
            deployment.SuspendedReplicas ?? deployment.Replicas,
            view.ReadyReplicas,
            deployment.CurrentRevision,
            spec.Image,
            spec.Command,
            spec.SourceId,
            spec.Port,
            spec.Env,
            spec.SecretKeys,
            new ResourcesDto(spec.Resources.CpuMillicores, spec.Resources.MemoryMb),
            spec.HealthCheck?.ToDto(),
            [.. view.Replicas.Select(r => new ReplicaResponse(
                r.Id, r.Revision, r.Phase.ToString().ToLowerInvariant(), r.Ready, r.Restarts, r.LastExitReason, r.LastExitAt, r.StartedAt,
                view.Health.GetValueOrDefault(r.Id, PodHealth.Unknown).ToResponse(),
                ReplicaShortId.Of(r.Id),
                CrashLoop.IsCrashLooping(r)))],
            deployment.CreatedAt,
            deployment.UpdatedAt)
        {
            Security = new SecurityDto(spec.Security.ReadOnlyRootFilesystem, spec.Security.RunAsNonRoot, spec.Security.User, spec.Security.Capabilities),
            RegistryAuth = spec.RegistryAuth is { } auth ? new RegistryAuthResponse(auth.Server, auth.Username) : null,
        };
    }

    public static RevisionResponse ToResponse(this RevisionView view) => new(
        view.Revision.Number,
        view.Revision.Cause,
        view.Revision.Outcome,
        view.Current,
        view.Spec.Image,
        view.Spec.Command,
        view.Spec.SecretKeys,
        view.Revision.CreatedAt);

    public static DeploymentEventResponse ToResponse(this DeploymentEvent e) =>
        new(e.Id, e.ReplicaId, e.Severity, e.Type, e.Reason, e.Message, e.Count, e.FirstSeenAt, e.LastSeenAt, e.ReplicaId is { } replica ? ReplicaShortId.Of(replica) : null);

    public static DomainResponse ToResponse(this CustomDomain domain) => new(
        domain.Id,
        domain.Hostname,
        domain.VerifiedAt is not null,
        domain.VerifiedBy,
        DomainService.TxtRecordName(domain.Hostname),
        domain.VerificationToken,
        domain.CreatedAt);

    public static SourceBundleResponse ToResponse(this SourceBundle bundle) => new(bundle.Id, bundle.Sha256, bundle.SizeBytes, bundle.CreatedAt);

    private static ResourcesInput ToInput(this ResourcesDto dto) => new(dto.CpuMillicores, dto.MemoryMb);

    private static SecurityInput ToInput(this SecurityDto dto) => new(dto.ReadOnlyRootFilesystem, dto.RunAsNonRoot, dto.User, dto.Capabilities);

    private static RegistryAuthInput ToInput(this RegistryAuthDto dto) => new(dto.Server, dto.Username, dto.Password);

    private static HealthCheckInput ToInput(this HealthCheckDto dto) => new(
        dto.Type, dto.Path, dto.Port, dto.Command, dto.PeriodSeconds, dto.TimeoutSeconds, dto.FailureThreshold, dto.InitialDelaySeconds);

    private static HealthCheckDto ToDto(this HealthCheckSpec spec) => new(
        spec.Type, spec.Path, spec.Port, spec.Command, spec.PeriodSeconds, spec.TimeoutSeconds, spec.FailureThreshold, spec.InitialDelaySeconds);
}
