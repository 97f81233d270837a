using Poddle.Contracts;

namespace Poddle.Client;

/// <summary>What a submission answered: the job id, and the result when the server finished it within its wait bound.</summary>
/// <param name="JobId">The execution's id (GET /api/execution/result/{id}).</param>
/// <param name="Result">The result when done (200); null when it was still queued or running (202).</param>
public sealed record ExecutionSubmitResult(Guid JobId, ExecutionResultResponse? Result);
