namespace Poddle.Core.Curriculum.Submissions;

/// <summary>The grading queue (configuration section "Grading", e.g. PODDLE_Grading__Concurrency). Validated at start.</summary>
public sealed class GradingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Grading";

    /// <summary>
    /// Submissions graded at once in this process (the "grading" job lane); 0 grades none here. Lower than plain runs'
    /// by default: one submission runs many cases (<see cref="MaxParallelRuns"/> at a time), so plain runs keep room.
    /// </summary>
    public int Concurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Sandbox runs of one submission at once (stdin cases run one program each).</summary>
    public int MaxParallelRuns { get; set; } = 2;

    /// <summary>Above this many queued submissions, new ones get 503 with Retry-After (backpressure).</summary>
    public int MaxQueueDepth { get; set; } = 200;

    /// <summary>How long <c>?wait=true</c> holds the request before answering 202.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most submissions one list request returns.</summary>
    public const int MaxListLimit = 100;
}
