using Poddle.Core.Deployments;

namespace Poddle.Core.Tests.Deployments;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", null, "busybox", null, null)]
    [InlineData("busybox:1.36", null, "busybox", "1.36", null)]
    [InlineData("library/nginx:latest", null, "library/nginx", "latest", null)]
    [InlineData("docker.io/library/nginx", "docker.io", "library/nginx", null, null)]
    [InlineData("ghcr.io/owner/app:v1.2.3-rc_1", "ghcr.io", "owner/app", "v1.2.3-rc_1", null)]
    [InlineData("localhost/app", "localhost", "app", null, null)]
    [InlineData("localhost:5000/team/app:dev", "localhost:5000", "team/app", "dev", null)]
    [InlineData("registry.example.com:443/a/b/c/d", "registry.example.com:443", "a/b/c/d", null, null)]
    [InlineData("10.0.0.1:5000/app", "10.0.0.1:5000", "app", null, null)]
    [InlineData("[::1]:5000/app", "[::1]:5000", "app", null, null)]
    [InlineData("Registry.Example.COM/app", "Registry.Example.COM", "app", null, null)]
    [InlineData("my_app", null, "my_app", null, null)]
    [InlineData("my__app", null, "my__app", null, null)]
    [InlineData("my---app.v2", null, "my---app.v2", null, null)]
    [InlineData("a/b_c/d.e", null, "a/b_c/d.e", null, null)]
    [InlineData("app:_underscore", null, "app", "_underscore", null)]
    [InlineData("app:TAG", null, "app", "TAG", null)]
    [InlineData("localhost:5000", null, "localhost", "5000", null)]
    [InlineData("app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null, "app", null, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("ghcr.io/o/app:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ghcr.io", "o/app", "1", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void TryParse_Valid_SplitsIntoParts(string value, string? registry, string path, string? tag, string? digest)
    {
        Assert.True(ImageReference.TryParse(value, out var reference));
        Assert.Equal(new ImageReference(registry, path, tag, digest), reference);
        Assert.Equal(value, reference.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("UPPER")]
    [InlineData("owner/App")]
    [InlineData("app:")]
    [InlineData(":tag")]
    [InlineData("app:-tag")]
    [InlineData("app:.tag")]
    [InlineData("app:ta g")]
    [InlineData("app:t@g")]
    [InlineData("app::tag")]
    [InlineData("/app")]
    [InlineData("app/")]
    [InlineData("a//b")]
    [InlineData("-app")]
    [InlineData("app-")]
    [InlineData("app.")]
    [InlineData("_app")]
    [InlineData("a___b")]
    [InlineData("a..b")]
    [InlineData("a._b")]
    [InlineData("app@sha256:abc")]
    [InlineData("app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("app@md5:0123456789abcdef0123456789abcdef")]
    [InlineData("app@")]
    [InlineData("app@@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("localhost:0/app")]
    [InlineData("localhost:65536/app")]
    [InlineData("localhost:port/app")]
    [InlineData("-registry.io/app")]
    [InlineData("registry-.io/app")]
    [InlineData("[::1/app")]
    [InlineData("[zz]:5000/app")]
    [InlineData("registry.io/")]
    [InlineData("ap p")]
    [InlineData("app\n")]
    [InlineData("app:tag\n")]
    [InlineData("registry.io\n/app")]
    [InlineData("app;rm -rf /")]
    [InlineData("$(whoami)")]
    [InlineData("ünïcode")]
    public void TryParse_Invalid_IsRefused(string value)
    {
        Assert.False(ImageReference.TryParse(value, out var reference));
        Assert.Null(reference);
    }

    [Fact]
    public void TryParse_TagLength_AtMost128()
    {
        Assert.True(ImageReference.TryParse("app:" + new string('a', 128), out _));
        Assert.False(ImageReference.TryParse("app:" + new string('a', 129), out _));
    }

    [Fact]
    public void TryParse_NameLength_AtMost255()
    {
        var path = string.Join('/', Enumerable.Repeat(new string('a', 50), 5)) + "a"; // 255 characters
        Assert.Equal(255, path.Length);
        Assert.True(ImageReference.TryParse(path, out _));
        Assert.False(ImageReference.TryParse(path + "a", out _));
        Assert.False(ImageReference.TryParse(null, out _));
    }
}
