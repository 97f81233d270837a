using System.Diagnostics;
using System.Text.RegularExpressions;
using Poddle.Core.Deployments;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// What a new user meets first: the README's set-up section (exactly two commands), a tour that works on the tier a new
/// account gets, and scripts/install.sh putting a `poddle` that runs on PATH.
/// </summary>
public sealed partial class SetUpTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void Readme_SetUp_IsExactlyTheRunAndTestCommands()
    {
        var setUp = Section(File.ReadAllText(Path.Combine(Root, "README.md")), "## Set up");

        Assert.Equal(["bash scripts/run.sh", "bash scripts/test.sh"], Commands(setUp));
    }

    [Fact]
    public void Readme_Tour_FitsTheFreeTier_AndUsesTheInstalledCommand()
    {
        var tour = Section(File.ReadAllText(Path.Combine(Root, "README.md")), "## A tour");
        var free = new DeploymentOptions().Tiers["free"];
        var commands = Commands(tour);

        foreach (Match scale in ScaleCommand().Matches(tour))
        {
            Assert.InRange(int.Parse(scale.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0, free.MaxReplicas);
        }

        foreach (Match replicas in ReplicasSetting().Matches(tour))
        {
            Assert.InRange(int.Parse(replicas.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0, free.MaxReplicas);
        }

        Assert.Contains(commands, c => c.StartsWith("poddle deploy", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, c => c.Contains("dotnet run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InstallScript_PutsALauncherInThePrefix_ThatRunsPoddle()
    {
        var prefix = Directory.CreateTempSubdirectory("poddle-prefix-").FullName;
        try
        {
            var install = await RunAsync("bash", [Path.Combine(Root, "scripts", "install.sh")], new Dictionary<string, string>
            {
                ["PODDLE_PREFIX"] = prefix,

                // The build these tests run against, instead of a second publish of the same sources.
                ["PODDLE_INSTALL_FROM"] = Path.GetDirectoryName(PoddleProcess.ExecutablePath)!,
                ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            });

            var launcher = Path.Combine(prefix, "bin", "poddle");
            Assert.True(install.ExitCode == 0, install.ToString());
            Assert.Equal(launcher, install.Stdout.Trim()); // run.sh execs what the script prints
            Assert.Contains($"{Path.Combine(prefix, "bin")} is not on your PATH", install.Stderr, StringComparison.Ordinal);

            var help = await RunAsync(launcher, ["--help"], new Dictionary<string, string>());
            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Contains("serve", help.Stdout, StringComparison.Ordinal);

            var again = await RunAsync("bash", [Path.Combine(Root, "scripts", "install.sh")], new Dictionary<string, string>
            {
                ["PODDLE_PREFIX"] = prefix,
                ["PODDLE_INSTALL_FROM"] = Path.GetDirectoryName(PoddleProcess.ExecutablePath)!,
                ["PATH"] = $"{Path.Combine(prefix, "bin")}:/usr/local/bin:/usr/bin:/bin",
            });
            Assert.True(again.ExitCode == 0, again.ToString()); // an update over an installed one
            Assert.DoesNotContain("not on your PATH", again.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            RegisterLoginProjectFlowTests.DeleteQuietly(prefix);
        }
    }

    /// <summary>The text under a "## " heading, up to the next one.</summary>
    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no '{heading}' section");
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    /// <summary>The command lines of the section's ```sh blocks, comments and blank lines dropped.</summary>
    private static List<string> Commands(string section) =>
        [.. ShellBlock().Matches(section)
            .SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(line => TrailingComment().Replace(line, string.Empty).Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))];

    private static async Task<CliRun> RunAsync(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Poddle.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("No Poddle.slnx above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```sh\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"\s{2,}#.*$")]
    private static partial Regex TrailingComment();

    [GeneratedRegex(@"\bscale \S+ (\d+)")]
    private static partial Regex ScaleCommand();

    [GeneratedRegex(@"replicas = (\d+)")]
    private static partial Regex ReplicasSetting();
}
