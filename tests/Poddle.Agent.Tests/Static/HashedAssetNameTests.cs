using Poddle.Agent.Static;

namespace Poddle.Agent.Tests.Static;

public sealed class HashedAssetNameTests
{
    [Theory]
    [InlineData("app.3f2a9c1b.js")]
    [InlineData("name-3F2A9C1B.css")]
    [InlineData("main.3f2a9c1b.chunk.js")]
    [InlineData("index-BxK3p9aZ.js")]
    [InlineData("vendor.0123456789abcdef0123.js")]
    [InlineData("logo.a1b2c3d4e5.svg")]
    public void Hashed(string name) => Assert.True(HashedAssetName.IsHashed(name));

    [Theory]
    [InlineData("index.html")]
    [InlineData("app.js")]
    [InlineData("component.js")]
    [InlineData("report-20241201.pdf")]
    [InlineData("my_widget_v2.js")]
    [InlineData("abcdefgh.js")]
    [InlineData("3f2a9c1.js")]
    [InlineData("favicon.ico")]
    [InlineData("3f2a9c1b")]
    public void NotHashed(string name) => Assert.False(HashedAssetName.IsHashed(name));
}
