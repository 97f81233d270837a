using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// The done-when flow against the real `poddle serve` process on a free port: register → login → create project →
/// list, once through the HTTP API and once through `poddle` child processes, each seeing what the other made.
/// </summary>
public sealed class RegisterLoginProjectFlowTests
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RegisterLoginCreateList_ThroughApiAndCli_SeeEachOthersProjects(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        var dataDir = TemporaryDirectory("data");
        var configDir = TemporaryDirectory("config");
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        try
        {
            await using var server = PoddleProcess.Start(
                ["serve", "--urls", url, "--data-dir", dataDir],
                new Dictionary<string, string?>
                {
                    ["PODDLE_DATABASE"] = database.Setting,
                    ["PODDLE_ADMIN_PASSWORD"] = "admin-password-for-e2e",
                    ["PODDLE_Auth__PasswordWorkFactor"] = "10",
                });
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));

            // Through the API.
            (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest("api@example.test", "api-user", Password))).EnsureSuccessStatusCode();
            var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest("api-user", Password));
            login.EnsureSuccessStatusCode();
            var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
            (await http.PostAsJsonAsync("/api/projects", new CreateProjectRequest("made-by-api"))).EnsureSuccessStatusCode();
            var viaApi = (await http.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!;
            Assert.Equal(["made-by-api"], viaApi.Select(p => p.Name));

            // Through the CLI, signed in as the same user.
            var environment = new Dictionary<string, string?> { ["PODDLE_CONFIG_DIR"] = configDir, ["NO_COLOR"] = "1" };
            Task<CliRun> Poddle(string? stdin, params string[] args) => PoddleProcess.RunAsync([.. args, "--server", url], environment, stdin);

            var registered = await Poddle(Password + "\n", "register", "--username", "cli-user", "--email", "cli@example.test", "--password-stdin");
            Assert.True(registered.ExitCode == 0, registered.ToString());
            var cliLogin = await Poddle(Password + "\n", "login", "--username", "api-user", "--password-stdin");
            Assert.True(cliLogin.ExitCode == 0, cliLogin.ToString());
            var created = await Poddle(null, "projects", "create", "made-by-cli");
            Assert.True(created.ExitCode == 0, created.ToString());

            var listed = await Poddle(null, "projects", "ls", "--json");
            Assert.True(listed.ExitCode == 0, listed.ToString());
            var viaCli = JsonSerializer.Deserialize(listed.Stdout, PoddleJsonContext.Default.IReadOnlyListProjectResponse)!;
            Assert.Equal(["made-by-api", "made-by-cli"], viaCli.Select(p => p.Name).Order(StringComparer.Ordinal));

            var table = await Poddle(null, "projects", "ls");
            Assert.Contains("made-by-api", table.Stdout, StringComparison.Ordinal);

            var whoami = await Poddle(null, "whoami", "--json");
            Assert.Equal("api-user", JsonSerializer.Deserialize(whoami.Stdout, PoddleJsonContext.Default.UserResponse)!.Username);

            var afterCli = (await http.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!;
            Assert.Equal(["made-by-api", "made-by-cli"], afterCli.Select(p => p.Name).Order(StringComparer.Ordinal));

            // A second account made through the CLI sees none of them.
            using var other = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            var otherLogin = await other.PostAsJsonAsync("/api/auth/login", new LoginRequest("cli-user", Password));
            otherLogin.EnsureSuccessStatusCode();
            other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await otherLogin.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
            Assert.Empty((await other.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!);
        }
        finally
        {
            DeleteQuietly(dataDir);
            DeleteQuietly(configDir);
        }
    }

    [Fact]
    public async Task Serve_BadSetting_ExitsNonZeroNamingTheKey()
    {
        var dataDir = TemporaryDirectory("data");
        try
        {
            var run = await PoddleProcess.RunAsync(
                ["serve", "--urls", $"http://127.0.0.1:{CliAppTests.ClosedPort()}", "--data-dir", dataDir],
                new Dictionary<string, string?> { ["PODDLE_Auth__PasswordWorkFactor"] = "3" });

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("Auth:PasswordWorkFactor", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            DeleteQuietly(dataDir);
        }
    }

    [Fact]
    public async Task Serve_MissingConfigFile_ExitsNonZeroNamingTheOption()
    {
        var run = await PoddleProcess.RunAsync(["serve", "--config", "/nonexistent/poddle.json"], new Dictionary<string, string?>());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--config", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_Sigterm_StopsGracefullyWithJsonLogLines()
    {
        var dataDir = TemporaryDirectory("data");
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        try
        {
            await using var server = PoddleProcess.Start(
                ["serve", "--urls", url, "--data-dir", dataDir],
                new Dictionary<string, string?>
                {
                    ["PODDLE_ADMIN_PASSWORD"] = "admin-password-for-e2e",
                    ["PODDLE_Auth__PasswordWorkFactor"] = "10",
                });
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
            (await http.GetAsync("/healthz")).EnsureSuccessStatusCode();

            // SIGTERM, as systemd, Docker and Kubernetes send it.
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, exitCode);
            // stdout is not a terminal here, so every log line is one JSON object.
            var lines = server.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                using var document = JsonDocument.Parse(line);
                Assert.True(document.RootElement.TryGetProperty("LogLevel", out _), line);
            }

            Assert.Contains(lines, line => line.Contains("Application is shutting down", StringComparison.Ordinal));
        }
        finally
        {
            DeleteQuietly(dataDir);
        }
    }

    private static string TemporaryDirectory(string kind) =>
        Path.Combine(Path.GetTempPath(), $"poddle-e2e-{kind}-" + Guid.NewGuid().ToString("N")[..12]);

    internal static void DeleteQuietly(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never created.
        }
        catch (IOException)
        {
            // Temp space; the OS cleans it.
        }
    }
}
