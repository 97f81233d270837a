using System.Globalization;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>What the pool end-to-end tests share: an owner signed in, RunPod's client API, waits on jobs, the workers' processes.</summary>
internal static class PoolEndToEnd
{
    private const string Password = "correct-horse-battery";

    /// <summary>Registers <paramref name="name"/> on the server at <paramref name="url"/> and returns a client signed in as them.</summary>
    internal static async Task<HttpClient> SignUpAsync(string url, string name)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest($"{name}@example.test", name, Password))).EnsureSuccessStatusCode();
            var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest(name, Password));
            login.EnsureSuccessStatusCode();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
            return http;
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>A client of RunPod's serverless API for <paramref name="poolId"/> (base address {url}/v2/{poolId}/) with a new API token of the signed-in owner.</summary>
    internal static async Task<(HttpClient Client, string Token)> RunPodClientAsync(HttpClient http, string url, Guid poolId)
    {
        var token = await PostAsync<CreatedApiTokenResponse>(http, "/api/tokens", new CreateApiTokenRequest("runpod"));
        var runpod = new HttpClient { BaseAddress = new Uri($"{url}/v2/{poolId}/"), Timeout = TimeSpan.FromSeconds(60) };
        runpod.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return (runpod, token.Token);
    }

    /// <summary>pool_worker.py, the worker written the way runpod-python works.</summary>
    internal static Task<string> WorkerScriptAsync() => File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "EndToEnd", "pool_worker.py"));

    internal static int Workers(ServerlessHealthResponse health) => health.Workers.Idle + health.Workers.Initializing + health.Workers.Running;

    internal static async Task<ServerlessHealthResponse> HealthAsync(HttpClient runpod) => (await runpod.GetFromJsonAsync<ServerlessHealthResponse>("health"))!;

    /// <summary>Waits until job <paramref name="id"/> has <paramref name="status"/>; a timeout says its last status and what <paramref name="context"/> adds (the workers' logs).</summary>
    internal static async Task<ServerlessJobResponse> WaitForJobAsync(HttpClient runpod, string id, string status, TimeSpan timeout, Func<Task<string>>? context = null)
    {
        ServerlessJobResponse? last = null;
        await Poll.UntilAsync(
            async () => (last = await runpod.GetFromJsonAsync<ServerlessJobResponse>($"status/{id}"))!.Status == status,
            $"job {id} {status}",
            timeout,
            async () => $"last: {last}" + (context is null ? string.Empty : Environment.NewLine + await context()));
        return last!;
    }

    /// <summary>
    /// The Python processes of sandbox pool workers (python3 pool_worker.py), by worker id (their environment's
    /// RUNPOD_POD_ID); of <paramref name="poolId"/> only when given (RUNPOD_ENDPOINT_ID), as tests run in parallel.
    /// </summary>
    internal static Dictionary<string, int> WorkerProcesses(Guid? poolId = null)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Length < 2 || !args[0].StartsWith("python", StringComparison.Ordinal) || args[1] != "pool_worker.py")
                {
                    continue;
                }

                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                var workerId = environment.FirstOrDefault(v => v.StartsWith("RUNPOD_POD_ID=", StringComparison.Ordinal))?["RUNPOD_POD_ID=".Length..];
                if (workerId is not null && (poolId is null || environment.Contains($"RUNPOD_ENDPOINT_ID={poolId}", StringComparer.Ordinal)))
                {
                    found[workerId] = pid;
                }
            }
            catch (IOException)
            {
                // Exited while being read.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return found;
    }

    internal static int WorkerProcess(string workerId) => WorkerProcesses().GetValueOrDefault(workerId);

    /// <summary>The repository's root (where Poddle.slnx is).</summary>
    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Poddle.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Poddle.slnx) is not above " + AppContext.BaseDirectory);
    }

    internal static async Task<SourceBundleResponse> UploadSourceAsync(HttpClient http, Guid projectId, string name, string text)
    {
        using var archive = new MemoryStream();
        await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });
        }

        using var content = new ByteArrayContent(archive.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        using var response = await http.PostAsync($"/api/projects/{projectId}/sources", content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SourceBundleResponse>())!;
    }

    internal static async Task<T> PostAsync<T>(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }
}
