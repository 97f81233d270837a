using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

/// <summary>
/// Domain verification against a fake TXT resolver: there is no DNS server here to publish records to, so what the
/// real <see cref="DnsClientTxtResolver"/> would return is set by the test.
/// </summary>
public sealed class DomainServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AddThenVerify_WithTheTxtRecord_VerifiesAndSignalsTheProxy(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");
        var deployment = (await harness.CreateAsync(alice, project, new NewDeployment("web", Image: "nginx"))).Value.Deployment.Id;
        var signalled = new List<Guid>();
        harness.Services.GetRequiredService<DeploymentChangeSignal>().Changed += signalled.Add;

        var added = await Domains(harness, s => s.AddAsync(alice, deployment, "WWW.Example.COM.", CancellationToken.None));
        Assert.True(added.IsSuccess, added.Error?.Message);
        var domain = added.Value;
        Assert.Equal("www.example.com", domain.Hostname);
        Assert.StartsWith("poddle-verify=", domain.VerificationToken, StringComparison.Ordinal);

        var unverified = await Domains(harness, s => s.VerifyAsync(alice, false, deployment, domain.Id, CancellationToken.None));
        Assert.Equal("domain-not-verified", unverified.Error!.Code);
        Assert.Equal(["_poddle-challenge.www.example.com"], harness.Dns.Queried);
        Assert.Empty(signalled);

        harness.Dns.Records["_poddle-challenge.www.example.com"] = ["unrelated", domain.VerificationToken];
        var verified = await Domains(harness, s => s.VerifyAsync(alice, false, deployment, domain.Id, CancellationToken.None));

        Assert.True(verified.IsSuccess);
        Assert.Equal("dns", verified.Value.VerifiedBy);
        Assert.Equal([deployment], signalled);
        await using var db = harness.Database.CreateContext();
        Assert.NotNull((await db.CustomDomains.SingleAsync()).VerifiedAt);

        Assert.True((await Domains(harness, s => s.DeleteAsync(alice, deployment, domain.Id, CancellationToken.None))).IsSuccess);
        Assert.Equal([deployment, deployment], signalled);
        Assert.Equal(0, await db.CustomDomains.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Add_SameHostnameTwice_Is409AcrossUsers(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, aliceProject) = await harness.CreateUserWithProjectAsync("alice");
        var (bob, bobProject) = await harness.CreateUserWithProjectAsync("bob");
        var aliceApp = (await harness.CreateAsync(alice, aliceProject, new NewDeployment("web", Image: "nginx"))).Value.Deployment.Id;
        var bobApp = (await harness.CreateAsync(bob, bobProject, new NewDeployment("web", Image: "nginx"))).Value.Deployment.Id;
        Assert.True((await Domains(harness, s => s.AddAsync(alice, aliceApp, "shop.example.org", CancellationToken.None))).IsSuccess);

        var taken = await Domains(harness, s => s.AddAsync(bob, bobApp, "Shop.Example.org", CancellationToken.None));
        var notHis = await Domains(harness, s => s.AddAsync(bob, aliceApp, "other.example.org", CancellationToken.None));

        Assert.Equal("domain-taken", taken.Error!.Code);
        Assert.Equal(ErrorKind.Conflict, taken.Error.Kind);
        Assert.Equal(ErrorKind.NotFound, notHis.Error!.Kind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Verify_ByAdmin_NeedsNoDns(DatabaseProvider provider)
    {
        await using var harness = await DeploymentsHarness.CreateAsync(provider);
        var (alice, project) = await harness.CreateUserWithProjectAsync("alice");
        var deployment = (await harness.CreateAsync(alice, project, new NewDeployment("web", Image: "nginx"))).Value.Deployment.Id;
        var domain = (await Domains(harness, s => s.AddAsync(alice, deployment, "app.example.net", CancellationToken.None))).Value;

        var verified = await Domains(harness, s => s.VerifyAsAdminAsync(domain.Id, CancellationToken.None));

        Assert.Equal("admin", verified.Value.VerifiedBy);
        Assert.Empty(harness.Dns.Queried);
        Assert.Equal(ErrorKind.NotFound, (await Domains(harness, s => s.VerifyAsAdminAsync(Guid.NewGuid(), CancellationToken.None))).Error!.Kind);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("example")]
    [InlineData("web-demo.localhost")]
    [InlineData("a.b.localhost")]
    [InlineData("192.168.1.1")]
    [InlineData("exa mple.com")]
    [InlineData("-bad.example.com")]
    [InlineData("bad_.example.com")]
    [InlineData("a..b.com")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("x.exa\nmple.com")]
    [InlineData("ex\u00e4mple.com")]
    public void Normalize_Invalid_IsRefused(string? hostname)
    {
        Assert.Null(DomainService.Normalize(hostname, "localhost", out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void Normalize_UnderAnotherBaseDomain_IsRefused()
    {
        Assert.Null(DomainService.Normalize("web-demo.apps.example.com", "apps.example.com", out _));
        Assert.Null(DomainService.Normalize("apps.example.com", "apps.example.com.", out _));
        Assert.Equal("example.com", DomainService.Normalize("example.com", "apps.example.com", out _));
        Assert.Equal("www.my-site.co.uk", DomainService.Normalize(" WWW.My-Site.co.uk. ", "localhost", out _));
    }

    private static async Task<Result<T>> Domains<T>(DeploymentsHarness harness, Func<DomainService, Task<Result<T>>> action)
    {
        await using var scope = harness.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<DomainService>());
    }
}
