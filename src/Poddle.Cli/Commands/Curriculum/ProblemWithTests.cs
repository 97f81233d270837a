using Poddle.Contracts;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle problems show ID --json`: the problem and its public tests in one document.</summary>
public sealed record ProblemWithTests(CurriculumProblemResponse Problem, IReadOnlyList<TestCaseResponse> Tests);
