using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>Pulls: which registry, with which credentials, and what a missing image says.</summary>
public sealed partial class DockerPodDriverTests
{
    private const string RegistryPassword = "Pw-9f3K-registry-secret";

    [Fact]
    public async Task Start_PrivateRegistry_TheEngineSendsTheCredentialsToTheRegistryAndNowhereElse()
    {
        // A local HTTP listener poses as the registry (no registry is reachable here; Docker allows plain HTTP for
        // 127.0.0.0/8). It asks for Basic auth and then knows no manifest, so the pull fails after the credentials went out.
        await using var registry = await FakeRegistry.StartAsync();
        var image = registry.Image(_runId);

        var error = await PullFailsAsync(image, new PodRegistryAuth($"127.0.0.1:{registry.Port}", "alice", RegistryPassword));

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + RegistryPassword));
        Assert.Contains(expected, registry.Authorizations);
        Assert.Equal(PodFailureKind.ImageNotFound, error.Kind);
        Assert.StartsWith($"image {image} is not on this Docker Engine and pulling it from 127.0.0.1:{registry.Port} failed: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RegistryPassword, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RegistryPassword, new PodRegistryAuth("r", "alice", RegistryPassword).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CredentialsForAnotherRegistry_AreNeverSent()
    {
        await using var registry = await FakeRegistry.StartAsync();

        var error = await PullFailsAsync(registry.Image(_runId), new PodRegistryAuth("registry.example.com", "alice", RegistryPassword));

        Assert.NotEmpty(registry.Paths);
        Assert.DoesNotContain(registry.Authorizations, a => a.Length > 0);
        Assert.Equal(PodFailureKind.ImageNotFound, error.Kind);
        Assert.True(error.Message.Contains("is private (give the deployment registryAuth", StringComparison.Ordinal), error.Message);
    }

    [Theory]
    [InlineData("Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host", false, "The engine could not reach docker.io (no internet access, DNS or a proxy?).")]
    [InlineData("unauthorized: authentication required", true, "docker.io refused the deployment's registryAuth credentials")]
    [InlineData("pull access denied for web, repository does not exist or may require 'docker login'", false, "docker.io refused: the repository does not exist or is private")]
    [InlineData("manifest for nginx:9 not found: manifest unknown: manifest unknown", false, "docker.io has no such repository or tag.")]
    public void ImageNotFoundMessage_SaysWhichRegistryWhyAndHowToLoadTheImage(string engine, bool withCredentials, string hint)
    {
        var message = DockerPodDriver.ImageNotFoundMessage("nginx:1.27", DockerImagePullPolicy.IfNotPresent, engine, withCredentials);

        Assert.StartsWith("image nginx:1.27 is not on this Docker Engine and pulling it from docker.io (Docker Hub) failed: ", message, StringComparison.Ordinal);
        Assert.Contains(hint, message, StringComparison.Ordinal);
        Assert.Contains("`docker load -i image.tar`", message, StringComparison.Ordinal);
        Assert.Contains("registryAuth", message, StringComparison.Ordinal);
        Assert.DoesNotContain("image not found: image not found", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageNotFoundMessage_LongEngineError_StaysWithinAStatusReason()
    {
        var image = "registry.example.com/" + new string('a', 200) + ":1";

        var message = DockerPodDriver.ImageNotFoundMessage(image, DockerImagePullPolicy.Always, "Get \"https://" + new string('x', 2000) + "\": no such host", withCredentials: false);

        Assert.InRange(message.Length, 500, 950);
        Assert.Contains("docker load -i image.tar", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nginx:1.27", "docker.io")]
    [InlineData("library/nginx", "docker.io")]
    [InlineData("ghcr.io/team/app:1", "ghcr.io")]
    [InlineData("localhost:5000/app", "localhost:5000")]
    [InlineData("Registry.Example.com/app", "registry.example.com")]
    [InlineData("localhost/app", "localhost")]
    public void RegistryOf_AsDockerDecides(string image, string registry) =>
        Assert.Equal(registry, PodRegistryAuth.RegistryOf(image));

    /// <summary>Starts a pod of <paramref name="image"/> (not on the engine, so pulled) with <paramref name="auth"/>; expects the start to fail.</summary>
    private async Task<PodDriverException> PullFailsAsync(string image, PodRegistryAuth auth)
    {
        var options = DockerTestEngine.Options();
        options.ImagePullPolicy = DockerImagePullPolicy.IfNotPresent;
        var driver = await DriverAsync(options);
        return await StartFailsAsync(driver, Spec("exit 0") with { Image = image, RegistryAuth = auth });
    }

    /// <summary>A registry's first answers over plain HTTP: Basic auth asked for at /v2/, every manifest unknown.</summary>
    private sealed class FakeRegistry : IAsyncDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task _serving;

        private FakeRegistry(HttpListener listener, int port)
        {
            _listener = listener;
            Port = port;
            _serving = Task.Run(ServeAsync);
        }

        public int Port { get; }

        /// <summary>An image reference on this registry, unique to the test.</summary>
        public string Image(string runId) => $"127.0.0.1:{Port}/poddle-test/private-{runId}:1";

        /// <summary>Authorization headers of every request ("" for none).</summary>
        public ConcurrentQueue<string> Authorizations { get; } = new();

        public ConcurrentQueue<string> Paths { get; } = new();

        public static Task<FakeRegistry> StartAsync()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            return Task.FromResult(new FakeRegistry(listener, port));
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            try
            {
                await _serving;
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var authorization = context.Request.Headers["Authorization"] ?? string.Empty;
                Authorizations.Enqueue(authorization);
                Paths.Enqueue(context.Request.Url?.AbsolutePath ?? string.Empty);
                var response = context.Response;
                response.ContentType = "application/json";
                response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
                string body;
                if (authorization.Length == 0)
                {
                    response.StatusCode = 401;
                    response.Headers["WWW-Authenticate"] = "Basic realm=\"poddle-test\"";
                    body = """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""";
                }
                else if (context.Request.Url?.AbsolutePath == "/v2/")
                {
                    response.StatusCode = 200;
                    body = "{}";
                }
                else
                {
                    response.StatusCode = 404;
                    body = """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}""";
                }

                var bytes = Encoding.UTF8.GetBytes(body);
                response.ContentLength64 = bytes.Length;
                await response.OutputStream.WriteAsync(bytes);
                response.Close();
            }
        }
    }
}
