namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// The browser tests share one `poddle serve` and one Chromium (<see cref="BrowserFixture"/>); each test gets fresh
/// browser contexts (no cookies or storage carried between tests), and signs up users of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollectionDefinition : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
