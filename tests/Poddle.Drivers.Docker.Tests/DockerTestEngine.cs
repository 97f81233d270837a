using System.Diagnostics;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>
/// The real Docker Engine the tests use (scripts/test.sh installs and starts it) and the offline-built test image
/// (scripts/test-images.sh, run here when the image is missing). No skipping: without an engine every test fails,
/// on CI and on a developer's machine alike, and says why.
/// </summary>
internal static class DockerTestEngine
{
    /// <summary>Debian's static busybox with httpd (scripts/test-images.sh).</summary>
    public const string BusyboxImage = "poddle-test/busybox:latest";

    private static readonly SemaphoreSlim ImageLock = new(1, 1);
    private static bool _imageReady;

    public static DockerDriverOptions Options() => new()
    {
        Endpoint = new Uri(Environment.GetEnvironmentVariable("PODDLE_TEST_DOCKER") ?? "unix:///var/run/docker.sock"),
        ImagePullPolicy = DockerImagePullPolicy.Never,
    };

    /// <summary>A driver on the test engine, once the engine answers and the test image exists.</summary>
    public static async Task<DockerPodDriver> CreateDriverAsync(DockerDriverOptions? options = null)
    {
        var driver = new DockerPodDriver(options ?? Options());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var health = await driver.CheckHealthAsync(cts.Token);
        if (!health.Available)
        {
            await driver.DisposeAsync();
            throw new InvalidOperationException($"these tests need a running Docker Engine (bash scripts/test.sh starts one): {health.Detail}");
        }

        await EnsureImageAsync();
        return driver;
    }

    private static async Task EnsureImageAsync()
    {
        if (_imageReady)
        {
            return;
        }

        await ImageLock.WaitAsync();
        try
        {
            if (_imageReady)
            {
                return;
            }

            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Join(root, "Poddle.slnx")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
            }

            using var process = Process.Start(new ProcessStartInfo("bash", [Path.Join(root, "scripts", "test-images.sh")])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"scripts/test-images.sh failed ({process.ExitCode}): {errors}");
            }

            _imageReady = true;
        }
        finally
        {
            ImageLock.Release();
        }
    }
}
