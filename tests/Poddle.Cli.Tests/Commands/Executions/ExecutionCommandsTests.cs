using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Executions;

public sealed class ExecutionCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("poddle-run-").FullName;

    private static async Task<(TestServer Server, ScriptedCodeExecutor Executor)> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var executor = new ScriptedCodeExecutor();
        var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, settings, b => b.Services.AddSingleton<ICodeExecutor>(executor));
        return (server, executor);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Run_WritesTheProgramsOutput_AndAVerdictLine_AndPassesStdinAndArgs()
    {
        var (server, executor) = await StartAsync();
        await using var _ = server;
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("runner");
        var program = Write("hello.py", "import sys; print(sys.stdin.read())");
        var input = Write("input.txt", "héllo\nwörld");

        // The runner appends --server at the end; here it has to come before "--".
        using var sameConfig = new CliRunner(configDirectory: cli.ConfigDirectory);
        var run = await sameConfig.RunAsync("run", program, "--stdin", input, "--server", server.BaseAddress.ToString(), "--", "one", "--two");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("héllo\nwörld", run.Stdout);
        Assert.Equal("ok · 12 ms · 9.8 MB", run.Stderr.Trim());
        var request = executor.Requests.Single();
        Assert.Equal("python", request.Language);
        Assert.Equal(["one", "--two"], request.Args!);
        Assert.Equal("import sys; print(sys.stdin.read())", Encoding.UTF8.GetString(request.Files[0].Content.Span));
    }

    [Fact]
    public async Task Run_ExitsWithTheProgramsCode_AndANonZeroCodeForEveryOtherVerdict()
    {
        var (server, executor) = await StartAsync();
        await using var _ = server;
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("verdicts");
        var program = Write("main.py", "raise SystemExit(3)");

        executor.Behaviour = _ => new CodeExecutionResult("python", "3.11.2", null, new StepResult(
            ExecutionVerdict.RuntimeError, 3, null, 5, 6, 1000, Encoding.UTF8.GetBytes("partial"), Encoding.UTF8.GetBytes("boom\n"), false, false));
        var failed = await cli.RunAsync("run", program);
        Assert.Equal(3, failed.ExitCode);
        Assert.Equal("partial", failed.Stdout);
        Assert.StartsWith("boom\nruntime_error · exit 3 · 6 ms", failed.Stderr, StringComparison.Ordinal);

        executor.Behaviour = _ => new CodeExecutionResult("python", "3.11.2", null, new StepResult(
            ExecutionVerdict.RuntimeError, null, "SIGSEGV", 5, 6, 1000, [], [], false, false));
        Assert.Equal(139, (await cli.RunAsync("run", program)).ExitCode);

        executor.Behaviour = _ => new CodeExecutionResult("python", "3.11.2", null, new StepResult(
            ExecutionVerdict.TimeLimitExceeded, null, "SIGKILL", 5000, 5003, 1000, [], [], false, false));
        var slow = await cli.RunAsync("run", program);
        Assert.Equal(124, slow.ExitCode);
        Assert.Contains("time_limit_exceeded · signal SIGKILL · 5003 ms", slow.Stderr, StringComparison.Ordinal);

        executor.Behaviour = _ => new CodeExecutionResult("python", "3.11.2", null, new StepResult(
            ExecutionVerdict.MemoryLimitExceeded, null, null, 5, 6, 131_072, [], [], false, false));
        Assert.Equal(137, (await cli.RunAsync("run", program)).ExitCode);

        executor.Behaviour = ScriptedCodeExecutor.Default;
        var broken = await cli.RunAsync("run", Write("broken.c", "int main() { error }"));
        Assert.Equal(126, broken.ExitCode);
        Assert.Contains("error: expected ';'", broken.Stderr, StringComparison.Ordinal);
        Assert.Contains("compile_error", broken.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Json_PrintsTheResultWithExactBytes()
    {
        var (server, executor) = await StartAsync();
        await using var _ = server;
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("jsonrun");
        executor.Behaviour = _ => new CodeExecutionResult("python", "3.11.2", null, new StepResult(
            ExecutionVerdict.Ok, 0, null, 1, 2, 3, [0xff, 0x00, 0x41], [], false, false));

        var run = await cli.RunAsync("run", Write("bytes.py", "x"), "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var result = JsonSerializer.Deserialize(run.Stdout, PoddleJsonContext.Default.ExecutionResultResponse)!;
        Assert.Equal("base64", result.Encoding);
        Assert.Equal(new byte[] { 0xff, 0x00, 0x41 }, Convert.FromBase64String(result.Stdout!));
    }

    [Fact]
    public async Task Run_PollsUntilDone_WhenTheServerAnswers202()
    {
        var (server, executor) = await StartAsync(new Dictionary<string, string?> { ["Execution:WaitTimeout"] = "00:00:00.200" });
        await using var _ = server;
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("poller");
        executor.Behaviour = request =>
        {
            // What is tested, not a wait: a run that outlasts the server's 200 ms wait, so it answers 202 and the CLI polls.
            Thread.Sleep(1_500);
            return ScriptedCodeExecutor.Default(request);
        };

        var run = await cli.RunWithInputAsync("late\n", "run", Write("late.py", "print(input())"), "--stdin", "-");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("late\n", run.Stdout);
    }

    [Fact]
    public async Task Run_UnknownExtensionWithoutLang_IsAUsageError()
    {
        using var cli = new CliRunner(new Uri("http://127.0.0.1:9"));

        var run = await cli.RunAsync("run", Write("notes.txt", "hello"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--lang", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runtimes_TableAndJson()
    {
        var (server, _) = await StartAsync();
        await using var _ = server;
        using var cli = new CliRunner(server.BaseAddress);

        var table = await cli.RunAsync("runtimes");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("python", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("py, python3", table.Stdout, StringComparison.Ordinal);

        var json = JsonSerializer.Deserialize((await cli.RunAsync("runtimes", "--json")).Stdout, PoddleJsonContext.Default.IReadOnlyListRuntimeResponse)!;
        Assert.Equal(["python", "c"], json.Select(r => r.Language));
        Assert.True(json[1].Compiled);
    }

    [Fact]
    public async Task Doctor_Json_ReportsBubblewrapCgroupsAndToolchainsOnThisMachine()
    {
        using var cli = new CliRunner();

        var run = await cli.RunAsync("doctor", "--data-dir", Path.Combine(_dir, "data"), "--json");

        var report = JsonNode.Parse(run.Stdout)!;
        var isolation = (string)report["isolation"]!;
        Assert.Equal(isolation == "full" ? 0 : 1, run.ExitCode);
        Assert.True((bool)report["bubblewrap"]!["found"]!, run.ToString()); // scripts/test.sh installs bubblewrap
        Assert.Matches(@"^\d+\.\d+", (string)report["bubblewrap"]!["version"]!);
        Assert.Contains((string?)report["cgroups"]!["version"], new[] { "v1", "v2" });
        var python = report["toolchains"]!.AsArray().First(t => (string)t!["command"]! == "python3")!;
        Assert.StartsWith("3.", (string)python["version"]!, StringComparison.Ordinal);
        Assert.Equal(isolation != "unavailable", (bool)python["offered"]!);
        Assert.Equal(isolation == "full", (bool)report["cgroups"]!["writable"]!);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
