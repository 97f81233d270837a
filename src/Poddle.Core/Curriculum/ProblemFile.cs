using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Poddle.Core.Curriculum;

// The YAML shapes of the files, mutable for YamlDotNet; CurriculumLoader maps them to the immutable records after
// validating. Property order is the order ProblemFileWriter writes.

internal sealed class ProblemDocument
{
    public string? Id { get; set; }
    public string? Title { get; set; }
    public string? AgeGroup { get; set; }
    public int? Level { get; set; }
    public string? Session { get; set; }
    public int? Order { get; set; }
    public List<string>? Tags { get; set; }
    public string? Statement { get; set; }
    public string? StarterCode { get; set; }
    public string? Language { get; set; }
    public string? Comparison { get; set; }
    public LimitsDocument? Limits { get; set; }
    public string? FunctionName { get; set; }
    public List<TestCaseDocument>? Tests { get; set; }
    public string? ReferenceSolution { get; set; }
    public string? WrongSolution { get; set; }
}

internal sealed class LimitsDocument
{
    public int? CpuMs { get; set; }
    public int? MemoryMb { get; set; }
}

internal sealed class TestCaseDocument
{
    public string? Stdin { get; set; }
    public string? ExpectedStdout { get; set; }
    public string? Call { get; set; }
    public string? Expected { get; set; }
    public bool? Hidden { get; set; }
}

internal sealed class LevelsDocument
{
    public List<LevelDocument>? Levels { get; set; }
}

internal sealed class LevelDocument
{
    public string? AgeGroup { get; set; }
    public int? Level { get; set; }
    public string? Title { get; set; }
    public List<string>? Sessions { get; set; }
    public string? Cheatsheet { get; set; }
}

internal static class CurriculumYaml
{
    /// <summary>Unknown fields are errors (a typo must not silently drop a test's "hidden: true").</summary>
    public static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();
}
