using Poddle.Web.Auth;

namespace Poddle.Web.Tests.Auth;

public sealed class ReturnUrlsTests
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/learn/problems/k-add?x=1", true)]
    [InlineData("//evil.example/", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("/learn\n", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsLocal_OnlyPathsOfThisSite(string? url, bool local) => Assert.Equal(local, ReturnUrls.IsLocal(url));

    [Fact]
    public void LocalOr_ForeignUrl_GivesTheFallback() => Assert.Equal("/", ReturnUrls.LocalOr("//evil.example"));
}
