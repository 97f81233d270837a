namespace Poddle.Contracts;

/// <summary>
/// A graded submission's statuses on the wire (<see cref="SubmissionResponse.Status"/>): the server's submission status
/// names in lower case. A Server test holds them equal to the server's statuses.
/// </summary>
public static class SubmissionStatuses
{
    public const string Queued = "queued";
    public const string Grading = "grading";
    public const string Completed = "completed";

    /// <summary>The host failed, not the code.</summary>
    public const string Failed = "failed";
}
