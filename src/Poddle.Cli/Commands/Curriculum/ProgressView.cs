using Poddle.Contracts;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle progress --json`: the per-level summary and the per-problem progress in one document.</summary>
public sealed record ProgressView(ProgressSummaryResponse Summary, IReadOnlyList<ProblemProgressResponse> Problems);
