using System.Net.Http.Headers;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Docker deployments against the real `poddle serve` and the real Docker Engine: a command health check runs in the
/// container (a failing one keeps the replica out of traffic and restarts it; a passing one makes it ready), the
/// security settings hold inside the container, a replica's logs keep the lines of the container a restart replaced,
/// and a missing image says which registry was asked, why it failed and how to load the image.
/// </summary>
public sealed class DockerDeploymentsEndToEndTests
{
    private const string Password = "correct-horse-battery";
    private const string TestImage = "poddle-test/busybox:latest";
    private const string Httpd = "mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www";

    [Fact]
    public async Task CommandChecksSecurityLogsAndMissingImages_OnTheRealEngine()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"poddle-e2e-docker-{Guid.NewGuid():N}");
        var port = CliAppTests.ClosedPort();
        var url = $"http://127.0.0.1:{port}";
        var ids = new List<Guid>();
        try
        {
            await using var server = PoddleProcess.Start(
                ["serve", "--urls", url, "--data-dir", dataDir],
                new Dictionary<string, string?>
                {
                    ["PODDLE_ADMIN_PASSWORD"] = "admin-password-for-e2e",
                    ["PODDLE_Auth__PasswordWorkFactor"] = "10",
                    ["PODDLE_Docker__ImagePullPolicy"] = "IfNotPresent",
                });
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
            (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest("docker-e2e@example.test", "docker-e2e", Password))).EnsureSuccessStatusCode();
            var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest("docker-e2e", Password));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
            var project = (await (await http.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"))).Content.ReadFromJsonAsync<ProjectResponse>())!;

            async Task<DeploymentResponse> CreateAsync(CreateDeploymentRequest request)
            {
                var response = await http.PostAsJsonAsync($"/api/projects/{project.Id}/deployments", request);
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                var created = (await response.Content.ReadFromJsonAsync<DeploymentResponse>())!;
                ids.Add(created.Id);
                return created;
            }

            // Ready only if the check runs inside the container: as uid 65534, on a root that refuses writes.
            var well = await CreateAsync(new CreateDeploymentRequest(
                "well",
                Image: TestImage,
                Command: ["sh", "-c", "echo well started; " + Httpd],
                HealthCheck: new HealthCheckDto("command", Command: ["sh", "-c", "test \"$(id -u)\" = 65534 && ! touch /probe 2>/dev/null"], PeriodSeconds: 1))
            {
                Security = new SecurityDto(ReadOnlyRootFilesystem: true, RunAsNonRoot: true, User: "65534"),
            });

            // Its port answers (a TCP check would pass), its command check fails: never ready, restarted.
            var sick = await CreateAsync(new CreateDeploymentRequest(
                "sick",
                Image: TestImage,
                Command: ["sh", "-c", "echo sick started; " + Httpd],
                HealthCheck: new HealthCheckDto("command", Command: ["sh", "-c", "echo not today; exit 1"], PeriodSeconds: 1, FailureThreshold: 2)));

            var ghost = await CreateAsync(new CreateDeploymentRequest("ghost", Image: $"poddle-test/missing-{Guid.NewGuid():N}:1"));

            await WaitForAsync(http, well.Id, d => d.ReadyReplicas == 1 && d.Status == "running", "the command check passes");
            var wellEvents = (await http.GetFromJsonAsync<List<DeploymentEventResponse>>($"/api/deployments/{well.Id}/events"))!;
            Assert.Contains(wellEvents, e => e.Type == "ReplicaReady" && e.Message.Contains("command exited 0", StringComparison.Ordinal));

            var restarted = await WaitForAsync(http, sick.Id, d => d.ReplicaDetails.Sum(r => r.Restarts) >= 1, "the failing command check restarts the replica");
            Assert.Equal(0, restarted.ReadyReplicas);
            var sickEvents = (await http.GetFromJsonAsync<List<DeploymentEventResponse>>($"/api/deployments/{sick.Id}/events"))!;
            Assert.Contains(sickEvents, e => e.Type == "ProbeFailed" && e.Message.Contains("command exited 1: not today", StringComparison.Ordinal));
            Assert.Contains(sickEvents, e => e.Type == "ReplicaRestarted" && e.Message.Contains("liveness probe failed: command exited 1", StringComparison.Ordinal));
            Assert.DoesNotContain(sickEvents, e => e.Type == "ReplicaReady");

            // The restart replaced the container; the replica's logs still begin with the replaced one's lines.
            var logs = string.Empty;
            await Poll.UntilAsync(
                async () => CountOf(logs = await http.GetStringAsync($"/api/deployments/{sick.Id}/logs?tail=100"), "sick started") >= 2,
                "the replaced container's lines are in the logs",
                TimeSpan.FromSeconds(60),
                () => Task.FromResult(logs));

            var failed = await WaitForAsync(http, ghost.Id, d => d.Status == "failed", "the missing image fails the deployment");
            Assert.StartsWith($"image poddle-test/missing-", failed.StatusReason, StringComparison.Ordinal);
            Assert.Contains("is not on this Docker Engine and pulling it from docker.io (Docker Hub) failed", failed.StatusReason, StringComparison.Ordinal);
            Assert.Contains("docker load -i image.tar", failed.StatusReason, StringComparison.Ordinal);
            Assert.DoesNotContain("image not found: image not found", failed.StatusReason, StringComparison.Ordinal);

            foreach (var id in ids)
            {
                await http.DeleteAsync($"/api/deployments/{id}");
            }

            foreach (var id in ids)
            {
                await WaitForAsync(http, id, d => d.Status == "deleted", "deleted");
                Assert.Empty(await DockerCli.ContainersAsync(id, all: true));
            }
        }
        finally
        {
            foreach (var id in ids)
            {
                foreach (var container in await DockerCli.ContainersAsync(id, all: true))
                {
                    await DockerCli.RunAsync("rm", "-f", container);
                }
            }

            RegisterLoginProjectFlowTests.DeleteQuietly(dataDir);
        }
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task<DeploymentResponse> WaitForAsync(HttpClient http, Guid id, Func<DeploymentResponse, bool> condition, string what)
    {
        DeploymentResponse? deployment = null;
        await Poll.UntilAsync(
            async () => condition(deployment = (await http.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{id}"))!),
            what,
            TimeSpan.FromSeconds(90),
            () => Task.FromResult($"still {deployment!.Status} ({deployment.StatusReason}), {deployment.ReadyReplicas} ready"));
        return deployment!;
    }
}
