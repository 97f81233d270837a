using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Core.Persistence;
using Poddle.Server.Hosting;
using Poddle.Server.Proxy;
using Poddle.Testing;

namespace Poddle.Server.Tests.Proxy;

public sealed class ProxyTlsTests : IDisposable
{
    private readonly string _certificates = Directory.CreateTempSubdirectory("poddle-certs-").FullName;
    private readonly HashSet<string> _generated = new(StringComparer.OrdinalIgnoreCase);

    [Fact]
    public async Task Https_SniPicksTheCertificateOfTheHost_AndAddsHsts()
    {
        WriteCertificate("web-tls.localhost", "web-tls.localhost");
        WriteCertificate("_wildcard.example.test", "*.example.test");
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Proxy:Tls:Urls"] = "https://127.0.0.1:0",
            ["Jobs:Workers"] = "0",
            ["Proxy:Tls:CertificatesDirectory"] = _certificates,
        });
        var httpsPort = new Uri(server.Addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal))).Port;
        await using var backend = await ProxyBackend.StartAsync("tls");
        var id = await ProxyTestKit.CreateDeploymentAsync(server, "tls", "web");
        await ProxyTestKit.AddReplicaAsync(server, id, backend);
        await ProxyTestKit.NotifyAndWaitAsync(server, id, "web-tls.localhost", 1);
        await using (var db = server.Database.CreateContext())
        {
            db.CustomDomains.Add(new Core.Deployments.CustomDomain
            {
                Id = Guid.CreateVersion7(),
                DeploymentId = id,
                OwnerId = db.Deployments.Single(d => d.Id == id).OwnerId,
                Hostname = "shop.example.test",
                VerificationToken = "t",
                VerifiedAt = DateTimeOffset.UtcNow,
                VerifiedBy = "admin",
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        await ProxyTestKit.NotifyAndWaitAsync(server, id, "shop.example.test", 1);
        var seen = new List<string>();
        using var client = ProxyTestKit.ClientFor(httpsPort, handler => handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            // Pinned: only the certificates this test generated are trusted.
            seen.Add(certificate!.Subject);
            return _generated.Contains(certificate.GetCertHashString(HashAlgorithmName.SHA256));
        });

        var custom = await client.GetAsync($"https://shop.example.test:{httpsPort}/");
        using var other = ProxyTestKit.ClientFor(httpsPort, handler => handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            // Pinned: only the certificates this test generated are trusted.
            seen.Add(certificate!.Subject);
            return _generated.Contains(certificate.GetCertHashString(HashAlgorithmName.SHA256));
        });
        var generated = await other.GetAsync($"https://web-tls.localhost:{httpsPort}/");

        Assert.Equal(HttpStatusCode.OK, custom.StatusCode);
        Assert.Contains("x-forwarded-proto=https", await custom.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("max-age=31536000", Assert.Single(custom.Headers.GetValues("Strict-Transport-Security")));
        Assert.Contains("host=web-tls.localhost", await generated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["CN=*.example.test", "CN=web-tls.localhost"], seen);
    }

    [Fact]
    public void CertificateStore_PicksExactThenWildcard_AndReloadsChangedFiles()
    {
        WriteCertificate("_wildcard.apps.test", "*.apps.test");
        var clock = new FakeTimeProvider();
        using var store = new CertificateStore(_certificates, TimeSpan.FromSeconds(30), clock, NullLogger.Instance);

        Assert.Equal("CN=*.apps.test", store.Select("one.apps.test")?.Subject);
        Assert.Null(store.Select("deep.one.apps.test"));
        Assert.Null(store.Select("other.test"));
        Assert.Null(store.Select(null));

        WriteCertificate("one.apps.test", "one.apps.test");
        clock.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal("CN=one.apps.test", store.Select("ONE.apps.test")?.Subject);
        Assert.Equal("CN=*.apps.test", store.Select("two.apps.test")?.Subject);
    }

    [Fact]
    public void Build_TlsWithoutCertificatesDirectory_NamesTheKey()
    {
        var missing = Path.Combine(_certificates, "missing");
        var exception = Assert.Throws<StartupConfigurationException>(() => PoddleServer.Build(new ServerStartOptions
        {
            DataDir = Path.Combine(_certificates, "data"),
            Settings = new Dictionary<string, string?> { ["Proxy:Tls:Urls"] = "https://127.0.0.1:0", ["Proxy:Tls:CertificatesDirectory"] = missing },
        }));
        var unset = Assert.Throws<StartupConfigurationException>(() => PoddleServer.Build(new ServerStartOptions
        {
            DataDir = Path.Combine(_certificates, "data"),
            Settings = new Dictionary<string, string?> { ["Proxy:Tls:Urls"] = "https://127.0.0.1:0" },
        }));

        Assert.Contains("Proxy:Tls:CertificatesDirectory", exception.Message, StringComparison.Ordinal);
        Assert.Contains(missing, exception.Message, StringComparison.Ordinal);
        Assert.Contains("Proxy:Tls:CertificatesDirectory", unset.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_certificates, recursive: true);

    private void WriteCertificate(string fileStem, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(subject);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _generated.Add(certificate.GetCertHashString(HashAlgorithmName.SHA256));
        File.WriteAllText(Path.Combine(_certificates, fileStem + ".crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_certificates, fileStem + ".key"), key.ExportPkcs8PrivateKeyPem());
    }
}
