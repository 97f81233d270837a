using Poddle.Core.Common;

namespace Poddle.Core.Deployments;

/// <summary>
/// The fields deployment errors name, as paths of Core's own inputs (<see cref="NewDeployment"/>; <see cref="DeploymentChanges"/>
/// shares its names) and of the use cases' parameters. The server maps them to the API's names (Poddle.Server.Errors.FieldNames).
/// </summary>
public static class DeploymentFields
{
    public static readonly FieldPath Name = FieldPath.Of(nameof(NewDeployment.Name));
    public static readonly FieldPath Image = FieldPath.Of(nameof(NewDeployment.Image));
    public static readonly FieldPath Command = FieldPath.Of(nameof(NewDeployment.Command));
    public static readonly FieldPath SourceId = FieldPath.Of(nameof(NewDeployment.SourceId));
    public static readonly FieldPath Port = FieldPath.Of(nameof(NewDeployment.Port));
    public static readonly FieldPath Env = FieldPath.Of(nameof(NewDeployment.Env));
    public static readonly FieldPath Secrets = FieldPath.Of(nameof(NewDeployment.Secrets));
    public static readonly FieldPath Replicas = FieldPath.Of(nameof(NewDeployment.Replicas));
    public static readonly FieldPath Driver = FieldPath.Of(nameof(NewDeployment.Driver));
    public static readonly FieldPath CpuMillicores = FieldPath.Of(nameof(NewDeployment.Resources), nameof(ResourcesInput.CpuMillicores));
    public static readonly FieldPath MemoryMb = FieldPath.Of(nameof(NewDeployment.Resources), nameof(ResourcesInput.MemoryMb));
    public static readonly FieldPath HealthCheck = FieldPath.Of(nameof(NewDeployment.HealthCheck));
    public static readonly FieldPath HealthCheckType = HealthCheck.Member(nameof(HealthCheckInput.Type));
    public static readonly FieldPath HealthCheckPath = HealthCheck.Member(nameof(HealthCheckInput.Path));
    public static readonly FieldPath HealthCheckPort = HealthCheck.Member(nameof(HealthCheckInput.Port));
    public static readonly FieldPath HealthCheckCommand = HealthCheck.Member(nameof(HealthCheckInput.Command));
    public static readonly FieldPath HealthCheckPeriodSeconds = HealthCheck.Member(nameof(HealthCheckInput.PeriodSeconds));
    public static readonly FieldPath HealthCheckTimeoutSeconds = HealthCheck.Member(nameof(HealthCheckInput.TimeoutSeconds));
    public static readonly FieldPath HealthCheckFailureThreshold = HealthCheck.Member(nameof(HealthCheckInput.FailureThreshold));
    public static readonly FieldPath HealthCheckInitialDelaySeconds = HealthCheck.Member(nameof(HealthCheckInput.InitialDelaySeconds));
    public static readonly FieldPath Security = FieldPath.Of(nameof(NewDeployment.Security));
    public static readonly FieldPath SecurityReadOnlyRootFilesystem = Security.Member(nameof(SecurityInput.ReadOnlyRootFilesystem));
    public static readonly FieldPath SecurityRunAsNonRoot = Security.Member(nameof(SecurityInput.RunAsNonRoot));
    public static readonly FieldPath SecurityUser = Security.Member(nameof(SecurityInput.User));
    public static readonly FieldPath SecurityCapabilities = Security.Member(nameof(SecurityInput.Capabilities));
    public static readonly FieldPath RegistryAuth = FieldPath.Of(nameof(NewDeployment.RegistryAuth));
    public static readonly FieldPath RegistryServer = RegistryAuth.Member(nameof(RegistryAuthInput.Server));
    public static readonly FieldPath RegistryUsername = RegistryAuth.Member(nameof(RegistryAuthInput.Username));
    public static readonly FieldPath RegistryPassword = RegistryAuth.Member(nameof(RegistryAuthInput.Password));

    /// <summary>An update as a whole (one that changes nothing): the <see cref="DeploymentChanges"/> given.</summary>
    public static readonly FieldPath Changes = FieldPath.Of(nameof(DeploymentChanges));

    /// <summary>The revision a rollback goes back to (<see cref="DeploymentService.RollbackAsync"/>'s parameter).</summary>
    public static readonly FieldPath Revision = FieldPath.Of("Revision");

    /// <summary>How many events a page holds (<see cref="DeploymentService.ListEventsAsync"/>'s parameter).</summary>
    public static readonly FieldPath Limit = FieldPath.Of("Limit");

    /// <summary>A custom domain's host name (<see cref="DomainService"/>).</summary>
    public static readonly FieldPath Hostname = FieldPath.Of("Hostname");

    /// <summary>The deployments of a project (a tier's limit on how many).</summary>
    public static readonly FieldPath Deployments = FieldPath.Of("Deployments");

    /// <summary>An uploaded source bundle: the whole upload.</summary>
    public static readonly FieldPath SourceBundle = FieldPath.Of("SourceBundle");
}
