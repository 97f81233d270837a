using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Poddle.Agent.Static;
using Poddle.Testing;

namespace Poddle.Agent.Tests.Static;

/// <summary>`poddle static`'s server over real HTTP on a loopback port: what each kind of request gets back.</summary>
public sealed partial class StaticSiteServerTests : IAsyncLifetime, IDisposable
{
    private readonly TestSite _site = new();
    private StaticSiteServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await StartAsync(new StaticSiteOptions { Root = _site.Root, Host = "127.0.0.1", Port = 0, CorsOrigins = ["https://app.example"] });
        _http = Client(_server);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    public void Dispose() => _site.Dispose();

    [Fact]
    public async Task Root_ServesIndexHtml_NoCache()
    {
        using var response = await GetAsync("/", accept: "text/html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal(_site.IndexHtml, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/settings/profile", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")]
    [InlineData("/settings/profile", "*/*")]
    [InlineData("/users/john.doe", "text/html")]
    public async Task UnknownRoute_AcceptingHtml_GetsIndexHtml(string path, string accept)
    {
        using var response = await GetAsync(path, accept: accept);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal(_site.IndexHtml, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/assets/missing.js", "*/*")]
    [InlineData("/assets/missing.js", "text/html")]
    [InlineData("/logo-missing.png", "image/avif,image/webp,*/*")]
    [InlineData("/settings/profile", "application/json")]
    public async Task UnknownAsset_Gets404NotIndexHtml(string path, string accept)
    {
        using var response = await GetAsync(path, accept: accept);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("<html", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoSpa_UnknownRoute_Gets404()
    {
        await using var server = await StartAsync(new StaticSiteOptions { Root = _site.Root, Host = "127.0.0.1", Port = 0, Spa = false });
        using var http = Client(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/settings/profile");
        request.Headers.TryAddWithoutValidation("Accept", "text/html");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var root = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
    }

    [Theory]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("br;q=0.5, gzip;q=0.9", "gzip")]
    [InlineData("*", "br")]
    [InlineData(null, null)]
    [InlineData("identity", null)]
    [InlineData("gzip;q=0, br;q=0", null)]
    public async Task Script_IsSentInTheNegotiatedEncoding(string? acceptEncoding, string? expected)
    {
        using var response = await GetAsync("/assets/app.3f2a9c1b.js", acceptEncoding: acceptEncoding);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentEncoding.SingleOrDefault());
        Assert.Equal("Accept-Encoding", response.Headers.Vary.Single());
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(_site.Script, Encoding.UTF8.GetString(Decode(body, expected)));
        if (expected is not null)
        {
            Assert.True(body.Length < _site.Script.Length / 2, $"{expected} body of {body.Length} bytes for {_site.Script.Length}");
        }
    }

    [Fact]
    public async Task SmallTextAndImages_AreNotCompressed()
    {
        using var robots = await GetAsync("/robots.txt", acceptEncoding: "gzip, br");
        Assert.Empty(robots.Content.Headers.ContentEncoding);
        using var image = await GetAsync("/assets/logo.png", acceptEncoding: "gzip, br");
        Assert.Empty(image.Content.Headers.ContentEncoding);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.ToString());
        Assert.Equal(_site.Image, await image.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/assets/app.3f2a9c1b.js", "public, max-age=31536000, immutable")]
    [InlineData("/assets/app-3F2A9C1B.css", "public, max-age=31536000, immutable")]
    [InlineData("/assets/logo.png", "public, max-age=3600")]
    [InlineData("/robots.txt", "public, max-age=3600")]
    [InlineData("/index.html", "no-cache")]
    [InlineData("/docs/", "no-cache")]
    public async Task CacheControl_DependsOnTheKindOfFile(string path, string expected)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, string.Join(", ", response.Headers.GetValues("Cache-Control")));
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Theory]
    [InlineData("/assets/logo.png", null)]
    [InlineData("/assets/app.3f2a9c1b.js", "gzip")]
    [InlineData("/index.html", "br")]
    public async Task IfNoneMatch_WithTheETag_Gets304(string path, string? acceptEncoding)
    {
        using var first = await GetAsync(path, acceptEncoding: acceptEncoding);
        var etag = first.Headers.ETag!.Tag;

        foreach (var ifNoneMatch in new[] { etag, "W/" + etag, "\"other\", " + etag })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            if (acceptEncoding is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
            }

            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            Assert.Equal(etag, response.Headers.ETag?.Tag);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        using var changed = new HttpRequestMessage(HttpMethod.Get, path);
        changed.Headers.TryAddWithoutValidation("If-None-Match", "\"0000000000000000\"");
        using var full = await _http.SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
    }

    [Fact]
    public async Task IfModifiedSince_NotBeforeTheFile_Gets304()
    {
        using var first = await GetAsync("/assets/logo.png");
        var lastModified = first.Content.Headers.LastModified!.Value;

        using var same = new HttpRequestMessage(HttpMethod.Get, "/assets/logo.png");
        same.Headers.IfModifiedSince = lastModified;
        using var notModified = await _http.SendAsync(same);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var older = new HttpRequestMessage(HttpMethod.Get, "/assets/logo.png");
        older.Headers.IfModifiedSince = lastModified.AddHours(-1);
        using var modified = await _http.SendAsync(older);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/assets/app.3f2a9c1b.js")]
    [InlineData("/assets/missing.js")]
    [InlineData("/health.json")]
    public async Task EveryResponse_CarriesSecurityHeaders(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("SAMEORIGIN", Header(response, "X-Frame-Options"));
        Assert.Equal("frame-ancestors 'self'", Header(response, "Content-Security-Policy"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task Cors_AllowedOrigin_PreflightAndRequestGetTheHeaders()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/assets/app.3f2a9c1b.js");
        preflight.Headers.TryAddWithoutValidation("Origin", "https://app.example");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
        preflight.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "x-requested-with");
        using var preflightResponse = await _http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, preflightResponse.StatusCode);
        Assert.Equal("https://app.example", Header(preflightResponse, "Access-Control-Allow-Origin"));
        Assert.Contains("GET", Header(preflightResponse, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Equal("x-requested-with", Header(preflightResponse, "Access-Control-Allow-Headers"));

        using var get = new HttpRequestMessage(HttpMethod.Get, "/manifest.json");
        get.Headers.TryAddWithoutValidation("Origin", "https://app.example");
        using var getResponse = await _http.SendAsync(get);
        Assert.Equal("https://app.example", Header(getResponse, "Access-Control-Allow-Origin"));

        using var other = new HttpRequestMessage(HttpMethod.Get, "/manifest.json");
        other.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        using var otherResponse = await _http.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, otherResponse.StatusCode);
        Assert.False(otherResponse.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task HealthJson_IsHealthy()
    {
        using var response = await GetAsync("/health.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("""{"status":"healthy"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/../secret.txt")]
    [InlineData("/../../secret.txt")]
    [InlineData("/%2e%2e/secret.txt")]
    [InlineData("/%2E%2E/%2e%2e/secret.txt")]
    [InlineData("/assets/..%2f..%2fsecret.txt")]
    [InlineData("/assets/%2e%2e%2f%2e%2e%2fsecret.txt")]
    [InlineData("/..%5csecret.txt")]
    [InlineData("/leak.txt")]
    [InlineData("/outside-dir/secret.txt")]
    [InlineData("/.env")]
    [InlineData("//etc/passwd")]
    [InlineData("/%2fetc%2fpasswd")]
    public async Task Traversal_NeverReachesAFileOutsideTheSite(string rawPath)
    {
        // Raw bytes on the socket: HttpClient would normalise the dots before sending.
        var (status, body) = await RawGetAsync(rawPath);
        Assert.DoesNotContain(TestSite.Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("root:x:0:0", body, StringComparison.Ordinal);
        Assert.True(status is 400 or 404 || (status == 200 && body.EndsWith(_site.IndexHtml, StringComparison.Ordinal)), $"{rawPath}: {status}");
    }

    [Fact]
    public void Index_LeavesOutLinksOutOfTheSite_KeepsLinksInside()
    {
        Assert.Contains("leak.txt", _server.Index.Refused);
        Assert.Contains("outside-dir", _server.Index.Refused);
        Assert.False(_server.Index.TryGet("/leak.txt", out _));
        Assert.True(_server.Index.TryGet("/robots-link.txt", out var link));
        Assert.Equal(Path.Combine(_server.Index.Root, "robots.txt"), link.Payload.PhysicalPath);
    }

    [Fact]
    public async Task Head_HasTheHeadersAndNoBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/assets/app.3f2a9c1b.js");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        Assert.True(response.Content.Headers.ContentLength > 0);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PostAndOtherMethods_Get405WithAllow()
    {
        using var response = await _http.PostAsync(new Uri("/index.html", UriKind.Relative), new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Range_OneRange_Gets206WithThoseBytes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/logo.png");
        request.Headers.TryAddWithoutValidation("Range", "bytes=100-199");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 100-199/4096", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(_site.Image[100..200], await response.Content.ReadAsByteArrayAsync());

        using var beyond = new HttpRequestMessage(HttpMethod.Get, "/assets/logo.png");
        beyond.Headers.TryAddWithoutValidation("Range", "bytes=5000-");
        using var unsatisfiable = await _http.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
    }

    [Fact]
    public async Task ChangedDirectory_IsReindexed()
    {
        using (var before = await GetAsync("/new-page.txt"))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        _site.Write("new-page.txt", "fresh");
        string? body = null;
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await GetAsync("/new-page.txt");
                body = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
                return body is not null;
            },
            "the new file is served",
            TimeSpan.FromSeconds(15));
        Assert.Equal("fresh", body);
    }

    [Fact]
    public async Task AccessLog_WritesACombinedLinePerRequest()
    {
        var logPath = Path.Combine(_site.Parent, "logs", "access.log");
        await using (var server = await StartAsync(new StaticSiteOptions { Root = _site.Root, Host = "127.0.0.1", Port = 0, AccessLog = true, AccessLogPath = logPath }))
        {
            using var http = Client(server);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/robots.txt?x=1");
            request.Headers.TryAddWithoutValidation("User-Agent", "test-agent/1.0 \"quoted\"");
            request.Headers.TryAddWithoutValidation("Referer", "https://ref.example/");
            using var response = await http.SendAsync(request);
            using var missing = await http.GetAsync(new Uri("/assets/none.js", UriKind.Relative));
        }

        var lines = await File.ReadAllLinesAsync(logPath);
        Assert.Equal(2, lines.Length);
        Assert.Matches(CombinedLine(), lines[0]);
        Assert.Contains("\"GET /robots.txt?x=1 HTTP/1.1\" 200 23 \"https://ref.example/\" \"test-agent/1.0 \\\"quoted\\\"\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"GET /assets/none.js HTTP/1.1\" 404 ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessLog_CommonFormat_ToTheGivenWriter()
    {
        using var output = new StringWriter();
        await using (var server = await StartAsync(new StaticSiteOptions { Root = _site.Root, Host = "127.0.0.1", Port = 0, AccessLog = true, AccessLogFormat = AccessLogFormat.Common }, output))
        {
            using var http = Client(server);
            using var response = await http.GetAsync(new Uri("/health.json", UriKind.Relative));
        }

        Assert.Matches(@"^127\.0\.0\.1 - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] ""GET /health.json HTTP/1.1"" 200 20\r?\n$", output.ToString());
    }

    [Fact]
    public async Task MissingDirectory_FailsWithAClearError()
    {
        var missing = Path.Combine(_site.Parent, "no-such-dir");
        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => StartAsync(new StaticSiteOptions { Root = missing, Host = "127.0.0.1", Port = 0 }));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);

        var file = Path.Combine(_site.Root, "robots.txt");
        var notDirectory = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => StartAsync(new StaticSiteOptions { Root = file, Host = "127.0.0.1", Port = 0 }));
        Assert.Contains("is a file", notDirectory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortInUse_FailsAtStart()
    {
        var port = _server.Addresses.Single().Port;
        await Assert.ThrowsAsync<IOException>(() => StartAsync(new StaticSiteOptions { Root = _site.Root, Host = "127.0.0.1", Port = port }));
    }

    [Fact]
    public async Task Stop_LetsARequestInFlightFinish()
    {
        // A 12 MB file is sent from memory in many writes; stopping while it is read must not cut it short.
        var big = new byte[12 * 1024 * 1024];
        Random.Shared.NextBytes(big);
        File.WriteAllBytes(Path.Combine(_site.Root, "big.bin"), big);
        await using var server = await StartAsync(new StaticSiteOptions { Root = _site.Root, Host = "127.0.0.1", Port = 0, Watch = false });
        using var http = Client(server);
        using var response = await http.GetAsync(new Uri("/big.bin", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        var stopping = server.StopAsync();
        var body = await response.Content.ReadAsByteArrayAsync();
        await stopping;
        Assert.Equal(big.Length, body.Length);
        Assert.Equal(big, body);
    }

    internal static Task<StaticSiteServer> StartAsync(StaticSiteOptions options, TextWriter? output = null) =>
        StaticSiteServer.StartAsync(options, output, logging => logging.SetMinimumLevel(LogLevel.Warning));

    internal static HttpClient Client(StaticSiteServer server) =>
        new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseCookies = false })
        {
            BaseAddress = server.Addresses.Single(),
            Timeout = TimeSpan.FromSeconds(20),
        };

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : "";

    private static byte[] Decode(byte[] body, string? encoding)
    {
        if (encoding is null)
        {
            return body;
        }

        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? accept = null, string? acceptEncoding = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        return await _http.SendAsync(request);
    }

    private async Task<(int Status, string Body)> RawGetAsync(string rawPath)
    {
        var address = _server.Addresses.Single();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {rawPath} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, bodyStart < 0 ? "" : text[(bodyStart + 4)..]);
    }

    [GeneratedRegex(@"^127\.0\.0\.1 - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] ""[A-Z]+ \S+ HTTP/1\.1"" \d{3} (\d+|-) "".*"" "".*""$")]
    private static partial Regex CombinedLine();
}
