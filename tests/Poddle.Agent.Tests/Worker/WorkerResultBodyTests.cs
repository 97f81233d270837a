using Poddle.Agent.Worker;

namespace Poddle.Agent.Tests.Worker;

public sealed class WorkerResultBodyTests
{
    [Theory]
    [InlineData("{\"a\":1}\n", "{\"output\":{\"a\":1}}")]
    [InlineData("[1,2]", "{\"output\":[1,2]}")]
    [InlineData("42\n", "{\"output\":42}")]
    [InlineData("hello world\n\n", "{\"output\":\"hello world\"}")]
    [InlineData("{broken", "{\"output\":\"{broken\"}")]
    [InlineData("", "{\"output\":null}")]
    public void For_ExitZero_PostsStdoutAsJsonElseAsText(string stdout, string expected) =>
        Assert.Equal(expected, WorkerResultBody.For(new JobOutcome(0, stdout, string.Empty, false, false, false, null), null));

    [Fact]
    public void For_NonZeroExit_PostsTheErrorWithTheStderrTail() =>
        Assert.Equal(
            "{\"error\":\"exit code 2: Traceback\\nValueError: x\"}",
            WorkerResultBody.For(new JobOutcome(2, "ignored", "Traceback\nValueError: x\n", false, false, false, null), null));
}
