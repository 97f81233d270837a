using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Drivers.Compliance.Networking;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Tenants cannot reach each other (issue 13, section 2), end to end with the real `poddle serve` and its own defaults.
/// Bob deploys an app; Alice deploys a probe that tries Bob's replica by its address and port, PostgreSQL and the
/// server (on every address of the host: the server listens on all of them here, as PostgreSQL might) and the agent
/// listener's other paths — all refused — while it fetches a token from a test host in a network namespace of its own
/// (egress). The probe prints what it reached; the test reads Alice's logs through the API. Once per driver.
/// </summary>
public sealed class NetworkIsolationEndToEndTests
{
    private const string Password = "correct-horse-battery";
    private const int PostgresPort = 5432;

    // Prints "NAME reached|refused" per TARGETS entry (NAME=HOST:PORT,...), the agent listener's answer to an admin
    // path, and what the egress URL answers; then stays up (no port, no probe: ready while running).
    private const string PythonProbe = """
        import os, socket, time, urllib.request, urllib.error
        for target in os.environ["TARGETS"].split(","):
            name, address = target.split("=")
            host, port = address.rsplit(":", 1)
            s = socket.socket(); s.settimeout(3)
            print(name, "reached" if s.connect_ex((host, int(port))) == 0 else "refused", flush=True)
            s.close()
        try:
            urllib.request.urlopen(os.environ["PODDLE_SERVER"] + "/api/admin/users", timeout=5)
            print("agent-admin 200", flush=True)
        except urllib.error.HTTPError as error:
            print("agent-admin", error.code, flush=True)
        except Exception as error:
            print("agent-admin failed", error, flush=True)
        print("egress", urllib.request.urlopen(os.environ["EGRESS_URL"], timeout=5).read().decode(), flush=True)
        print("probes-done", flush=True)
        time.sleep(3600)
        """;

    // The same with busybox: nc runs the program after -e once connected (exit 0) and exits 1 when it cannot connect.
    private const string ShellProbe = """
        for target in $(echo "$TARGETS" | tr ',' ' '); do
          name=${target%%=*}; address=${target#*=}
          if nc -w 3 "${address%:*}" "${address##*:}" -e true </dev/null 2>/dev/null; then echo "$name reached"; else echo "$name refused"; fi
        done
        agent=${PODDLE_SERVER#http://}
        echo "agent-admin $( (printf 'GET /api/admin/users HTTP/1.0\r\nHost: agent\r\n\r\n'; sleep 2) | nc -w 5 "${agent%:*}" "${agent##*:}" | head -1 | cut -d' ' -f2)"
        egress=${EGRESS_URL#http://}; egress=${egress%%/*}
        echo "egress $( (printf 'GET /token.txt HTTP/1.0\r\nHost: test\r\n\r\n'; sleep 2) | nc -w 5 "$egress" 80 | tail -1)"
        echo probes-done
        exec sleep 3600
        """;

    [Fact]
    public Task SandboxPods_OfAnotherUser_TheHostsServicesAndTheServer_AreRefused_EgressWorks() => RunAsync("sandbox");

    [Fact]
    public Task DockerPods_OfAnotherUser_TheHostsServicesAndTheServer_AreRefused_EgressWorks() => RunAsync("docker");

    private static async Task RunAsync(string driver)
    {
        var home = PoddleProcess.NewHome("isolation-" + driver);
        var dataDir = Path.Combine(home, "data");
        var port = CliAppTests.ClosedPort();
        var deploymentIds = new List<Guid>();
        await using var outside = await TestNetworkHost.StartAsync();
        try
        {
            // On every address of the host, so any address a pod might try is one the server answers on.
            await using var server = await PoddleProcess.StartServerAsync($"http://0.0.0.0:{port}", home);
            using var bob = await SignUpAsync(port, "bob");
            using var alice = await SignUpAsync(port, "alice");

            var victim = await DeployAsync(bob, driver == "sandbox"
                ? new CreateDeploymentRequest("victim", Command: ["sh", "-c", "exec python3 -m http.server $PORT"], Port: 8080, Driver: "sandbox")
                : new CreateDeploymentRequest("victim", Image: "poddle-test/busybox:latest", Command: ["sh", "-c", "mkdir -p /tmp/www && echo bob > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www"], Port: 8080, Driver: "docker"));
            deploymentIds.Add(victim.Id);
            await WaitAsync(bob, victim.Id, d => d.ReadyReplicas == 1, "Bob's replica ready");
            var bobReplica = driver == "sandbox" ? SandboxEndpoint(dataDir, victim.Id) : await DockerEndpointAsync(victim.Id, 8080);

            var targets = new List<string> { $"bob-replica={bobReplica}" };
            var hostAddresses = HostAddresses();
            foreach (var address in hostAddresses)
            {
                targets.Add($"postgres-{address}={address}:{PostgresPort}");
                targets.Add($"server-{address}={address}:{port}");
            }

            var probe = await DeployAsync(alice, new CreateDeploymentRequest(
                "probe",
                Image: driver == "docker" ? "poddle-test/busybox:latest" : null,
                Command: driver == "docker" ? ["sh", "-c", ShellProbe] : ["python3", "-c", PythonProbe],
                Env: new Dictionary<string, string> { ["TARGETS"] = string.Join(',', targets), ["EGRESS_URL"] = outside.TokenUrl },
                HealthCheck: new HealthCheckDto("none"),
                Driver: driver));
            deploymentIds.Add(probe.Id);
            var lines = await ProbeOutputAsync(alice, probe.Id, targets.Count);

            // Tests running beside this one remove their tenant networks, so a bridge address listed above may have left the
            // host before the probe tried it; such an address is no longer the host's, and the network this machine sits
            // on accepts TCP to any address, which would read "reached". Only addresses still on the host count.
            var vanished = hostAddresses.Except(HostAddresses()).ToHashSet(StringComparer.Ordinal);
            foreach (var target in targets.Where(t => !vanished.Contains(t[(t.IndexOf('=', StringComparison.Ordinal) + 1)..t.LastIndexOf(':')])))
            {
                var name = target[..target.IndexOf('=', StringComparison.Ordinal)];
                Assert.True(lines.Contains($"{name} refused"), $"{name} ({target}) was not refused: {string.Join(" | ", lines)}");
            }

            Assert.Contains("agent-admin 404", lines);
            Assert.Contains($"egress {outside.Token}", lines);

            // Only the ingress reaches Bob's app: through the proxy it answers.
            using var proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Host = $"victim-bob-apps.localhost";
            Assert.Equal(HttpStatusCode.OK, (await proxy.SendAsync(request)).StatusCode);

            foreach (var (client, id) in new[] { (bob, victim.Id), (alice, probe.Id) })
            {
                Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/api/deployments/{id}")).StatusCode);
            }
        }
        finally
        {
            await AgentHeartbeatEndToEndTests.DestroySandboxPodsAsync(dataDir);
            foreach (var id in deploymentIds)
            {
                foreach (var container in await DockerCli.ContainersAsync(id, all: true))
                {
                    await DockerCli.RunAsync("rm", "-f", container);
                }
            }

            RegisterLoginProjectFlowTests.DeleteQuietly(home);
        }
    }

    private static async Task<HttpClient> SignUpAsync(int port, string username)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest($"{username}@example.test", username, Password))).EnsureSuccessStatusCode();
        var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, Password));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
        (await http.PostAsJsonAsync("/api/projects", new CreateProjectRequest($"{username}-apps"))).EnsureSuccessStatusCode();
        return http;
    }

    private static async Task<DeploymentResponse> DeployAsync(HttpClient http, CreateDeploymentRequest request)
    {
        var projects = (await http.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!;
        var created = await http.PostAsJsonAsync($"/api/projects/{projects.Single().Id}/deployments", request);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<DeploymentResponse>())!;
    }

    private static async Task<DeploymentResponse> WaitAsync(HttpClient http, Guid id, Func<DeploymentResponse, bool> done, string what)
    {
        DeploymentResponse? deployment = null;
        await Poll.UntilAsync(
            async () => done(deployment = (await http.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{id}"))!),
            what,
            TimeSpan.FromSeconds(90),
            () => Task.FromResult($"still {deployment!.Status} ({deployment.StatusReason})"));
        return deployment!;
    }

    /// <summary>
    /// The probe's log lines once it printed them all. A target may take the probe's whole connect timeout (3 s), and a
    /// host carries a bridge address per tenant network, so the wait grows with the number of targets.
    /// </summary>
    private static async Task<List<string>> ProbeOutputAsync(HttpClient http, Guid id, int targets)
    {
        List<string> lines = [];
        await Poll.UntilAsync(
            async () => (lines = (await http.GetFromJsonAsync<List<LogLineResponse>>($"/api/deployments/{id}/logs?tail=500"))!.Select(l => l.Text.Trim()).ToList()).Contains("probes-done"),
            "the probe finished",
            TimeSpan.FromSeconds(60 + (3 * targets)),
            () => Task.FromResult(string.Join(" | ", lines)));
        return lines;
    }

    /// <summary>A sandbox replica's address: the host port its pod's state records (the proxy reaches it there).</summary>
    private static string SandboxEndpoint(string dataDir, Guid deploymentId)
    {
        foreach (var state in Directory.EnumerateFiles(Path.Combine(dataDir, "pods"), "state.json", SearchOption.AllDirectories))
        {
            var record = JsonDocument.Parse(File.ReadAllText(state)).RootElement;
            if (record.GetProperty("labels").GetProperty("poddle.id").GetString() == deploymentId.ToString("N"))
            {
                return $"127.0.0.1:{record.GetProperty("port").GetInt32()}";
            }
        }

        throw new InvalidOperationException("no sandbox pod of deployment " + deploymentId);
    }

    /// <summary>A Docker replica's address on its owner's network.</summary>
    private static async Task<string> DockerEndpointAsync(Guid deploymentId, int port)
    {
        var container = (await DockerCli.ContainersAsync(deploymentId)).Single();
        var address = (await DockerCli.RunAsync("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container)).Trim();
        return $"{address}:{port}";
    }

    /// <summary>The host's IPv4 addresses: loopback and every interface's (Docker's bridge included).</summary>
    private static List<string> HostAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => a.Address.ToString())
            .Distinct()
            .ToList();
}
