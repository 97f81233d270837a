using Poddle.Cli.Deployments;

namespace Poddle.Cli.Tests.Deployments;

public sealed class QuantitiesTests
{
    [Theory]
    [InlineData("250m", 250)]
    [InlineData("0.5", 500)]
    [InlineData("1", 1000)]
    [InlineData("1.25", 1250)]
    [InlineData(" 100m ", 100)]
    public void ParseCpu_MillicoresAndCores(string text, int expected) => Assert.Equal(expected, Quantities.ParseCpu(text));

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("half")]
    [InlineData("2.5m")]
    public void ParseCpu_Rejects(string text) => Assert.Null(Quantities.ParseCpu(text));

    [Theory]
    [InlineData("256Mi", 256)]
    [InlineData("1Gi", 1024)]
    [InlineData("0.5Gi", 512)]
    [InlineData("512M", 489)] // 512 000 000 bytes, rounded up to whole MiB
    [InlineData("1G", 954)]
    [InlineData("128", 128)]
    [InlineData("2048Ki", 2)]
    public void ParseMemoryMb_BinaryDecimalAndBare(string text, int expected) => Assert.Equal(expected, Quantities.ParseMemoryMb(text));

    [Theory]
    [InlineData("12X")]
    [InlineData("Mi")]
    [InlineData("-5Mi")]
    [InlineData("lots")]
    public void ParseMemoryMb_Rejects(string text) => Assert.Null(Quantities.ParseMemoryMb(text));

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("45", 45)]
    [InlineData("500ms", 0.5)]
    public void ParseDuration_Units(string text, double seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), Quantities.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10x")]
    [InlineData("5m3")]
    public void ParseDuration_Rejects(string text) => Assert.Null(Quantities.ParseDuration(text));

    [Fact]
    public void SplitCommand_QuotesAndEscapes()
    {
        Assert.Equal(["python3", "app.py", "--greeting", "hello world"], Quantities.SplitCommand("python3 app.py --greeting 'hello world'"));
        Assert.Equal(["sh", "-c", "echo \"hi\" $HOME"], Quantities.SplitCommand("sh -c \"echo \\\"hi\\\" $HOME\""));
        Assert.Equal(["a b", "c"], Quantities.SplitCommand("a\\ b   c"));
        Assert.Equal(["x", ""], Quantities.SplitCommand("x ''"));
        Assert.Throws<CliException>(() => Quantities.SplitCommand("echo 'oops"));
    }

    [Fact]
    public void ParsePair_KeyValueKeyOnlyAndBadNames()
    {
        Assert.Equal(("A_1", "x=y"), Quantities.ParsePair("A_1=x=y", "--env"));
        Assert.Equal(("TOKEN", (string?)null), Quantities.ParsePair("TOKEN", "--secret"));
        Assert.Equal(("EMPTY", ""), Quantities.ParsePair("EMPTY=", "--env"));
        var bad = Assert.Throws<CliException>(() => Quantities.ParsePair("1BAD=x", "--env"));
        Assert.Equal(ExitCode.Usage, bad.ExitCode);
    }
}
