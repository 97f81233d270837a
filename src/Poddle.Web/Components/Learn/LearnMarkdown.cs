using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Components;

namespace Poddle.Web.Components.Learn;

/// <summary>
/// Statements and cheatsheets: Markdown rendered by Markdig with raw HTML disabled, then sanitized by HtmlSanitizer
/// (teachers write statements; nothing they write may run script in a student's browser).
/// </summary>
internal static class LearnMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().DisableHtml().Build();

    // Configured once here and never changed afterwards, so one instance serves every circuit.
    private static readonly HtmlSanitizer Sanitizer = new();

    public static MarkupString ToHtml(string? markdown) =>
        new(Sanitizer.Sanitize(Markdown.ToHtml(markdown ?? string.Empty, Pipeline)));
}
