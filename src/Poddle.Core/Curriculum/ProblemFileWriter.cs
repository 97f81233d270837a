using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;
using YamlDotNet.Serialization.NamingConventions;

namespace Poddle.Core.Curriculum;

/// <summary>
/// Writes a problem as a YAML problem file (a teacher's export) that <see cref="CurriculumLoader.ReadProblem"/> reads
/// back to an equal problem. Multi-line text (statement, code, stdin) is written as literal blocks so people can edit it.
/// </summary>
public static class ProblemFileWriter
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .WithQuotingNecessaryStrings()
        .WithEventEmitter(next => new LiteralMultilineEmitter(next))
        .DisableAliases()
        .Build();

    /// <summary>The problem as the text of a problem file.</summary>
    public static string Write(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var document = new ProblemDocument
        {
            Id = problem.Id,
            Title = problem.Title,
            AgeGroup = problem.AgeGroup,
            Level = problem.Level,
            Session = problem.Session,
            Order = problem.Order,
            Tags = [.. problem.Tags],
            Statement = problem.Statement,
            StarterCode = problem.StarterCode,
            Language = problem.Language,
            Comparison = problem.Comparison == OutputComparison.Exact ? "exact" : "trim",
            Limits = problem.Limits is null ? null : new LimitsDocument { CpuMs = problem.Limits.CpuMs, MemoryMb = problem.Limits.MemoryMb },
            FunctionName = problem.FunctionName,
            Tests = [.. problem.Tests.Select(t => t.Kind == TestKind.Function
                ? new TestCaseDocument { Call = t.Call, Expected = t.Expected, Hidden = t.Hidden }
                : new TestCaseDocument { Stdin = t.Stdin, ExpectedStdout = t.ExpectedStdout, Hidden = t.Hidden })],
            ReferenceSolution = problem.ReferenceSolution,
            WrongSolution = problem.WrongSolution,
        };
        return Serializer.Serialize(document);
    }

    /// <summary>Writes the problem file to a stream as UTF-8 (no byte order mark); the stream stays open.</summary>
    public static async Task WriteAsync(Problem problem, Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Write(problem));
        await stream.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>
    /// Literal block style for strings with line breaks. Not for text with other control characters (a \r would be read
    /// back as a plain line break): those stay double-quoted with escapes, as does text a block cannot hold exactly.
    /// </summary>
    private sealed class LiteralMultilineEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text)
            {
                if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\t'))
                {
                    eventInfo.Style = ScalarStyle.DoubleQuoted;
                }
                else if (text.Contains('\n', StringComparison.Ordinal))
                {
                    eventInfo.Style = ScalarStyle.Literal;
                }
            }

            base.Emit(eventInfo, emitter);
        }
    }
}
