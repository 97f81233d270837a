using System.Text;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Grading;

namespace Poddle.Core.Tests.Curriculum.Grading;

public sealed class OutputComparerTests
{
    [Theory]
    [InlineData("3\n", "3")]
    [InlineData("3", "3 \t\n\n\n")]
    [InlineData("a\nb\n", "a  \r\nb\r\n")]
    [InlineData("", "\n\n")]
    [InlineData("x\n\ny\n", "x\n \ny")]
    public void Trim_TrailingWhitespaceAndBlankLines_Match(string expected, string actual) =>
        Assert.True(OutputComparer.Matches(OutputComparison.Trim, expected, Encoding.UTF8.GetBytes(actual)));

    [Theory]
    [InlineData("3\n", " 3\n")]
    [InlineData("a\nb\n", "a\n\nb\n")]
    [InlineData("a b\n", "a  b\n")]
    [InlineData("HELLO\n", "hello\n")]
    [InlineData("1\n2\n", "1\n")]
    public void Trim_LeadingOrInnerDifferences_DoNotMatch(string expected, string actual) =>
        Assert.False(OutputComparer.Matches(OutputComparison.Trim, expected, Encoding.UTF8.GetBytes(actual)));

    [Theory]
    [InlineData("3\n", "3\n", true)]
    [InlineData("3\n", "3", false)]
    [InlineData("3\n", "3 \n", false)]
    [InlineData("3\n", "3\r\n", false)]
    [InlineData("é\n", "é\n", true)]
    public void Exact_IsByteEquality(string expected, string actual, bool matches) =>
        Assert.Equal(matches, OutputComparer.Matches(OutputComparison.Exact, expected, Encoding.UTF8.GetBytes(actual)));
}
