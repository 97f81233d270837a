using System.Text.Json;
using System.Text.Json.Serialization;

namespace Poddle.Contracts;

/// <summary>
/// Source-generated JSON for every contract: camelCase, enums as strings. The server, the client and the CLI
/// share it so the wire format is defined once.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(LogoutRequest))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(IReadOnlyList<SessionResponse>))]
[JsonSerializable(typeof(CreateApiTokenRequest))]
[JsonSerializable(typeof(ApiTokenResponse))]
[JsonSerializable(typeof(IReadOnlyList<ApiTokenResponse>))]
[JsonSerializable(typeof(CreatedApiTokenResponse))]
[JsonSerializable(typeof(CreateProjectRequest))]
[JsonSerializable(typeof(UpdateProjectRequest))]
[JsonSerializable(typeof(ProjectResponse))]
[JsonSerializable(typeof(IReadOnlyList<ProjectResponse>))]
[JsonSerializable(typeof(QueuesResponse))]
[JsonSerializable(typeof(UpdateUserAccessRequest))]
[JsonSerializable(typeof(UserListResponse))]
[JsonSerializable(typeof(ProblemResponse))]
[JsonSerializable(typeof(SubmitExecutionRequest))]
[JsonSerializable(typeof(ExecutionSubmittedResponse))]
[JsonSerializable(typeof(ExecutionResultResponse))]
[JsonSerializable(typeof(RuntimeResponse))]
[JsonSerializable(typeof(IReadOnlyList<RuntimeResponse>))]
[JsonSerializable(typeof(ExecutionQueueStatsResponse))]
[JsonSerializable(typeof(PistonExecuteRequest))]
[JsonSerializable(typeof(PistonExecuteResponse))]
[JsonSerializable(typeof(IReadOnlyList<PistonRuntimeResponse>))]
[JsonSerializable(typeof(PistonErrorResponse))]
[JsonSerializable(typeof(CreateDeploymentRequest))]
[JsonSerializable(typeof(UpdateDeploymentRequest))]
[JsonSerializable(typeof(ScaleDeploymentRequest))]
[JsonSerializable(typeof(RollbackDeploymentRequest))]
[JsonSerializable(typeof(DeploymentResponse))]
[JsonSerializable(typeof(IReadOnlyList<DeploymentResponse>))]
[JsonSerializable(typeof(IReadOnlyList<RevisionResponse>))]
[JsonSerializable(typeof(IReadOnlyList<DeploymentEventResponse>))]
[JsonSerializable(typeof(LogLineResponse))]
[JsonSerializable(typeof(IReadOnlyList<LogLineResponse>))]
[JsonSerializable(typeof(ReplicaMetricsSample))]
[JsonSerializable(typeof(DeploymentMetricsResponse))]
[JsonSerializable(typeof(AddDomainRequest))]
[JsonSerializable(typeof(DomainResponse))]
[JsonSerializable(typeof(IReadOnlyList<DomainResponse>))]
[JsonSerializable(typeof(SourceBundleResponse))]
public sealed partial class PoddleJsonContext : JsonSerializerContext;
