using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Poddle.Core.Accounts;

namespace Poddle.Web.Tests;

/// <summary>
/// A bUnit context with what the shell's components need: localization (the real resources), MudBlazor, a fake
/// authentication state (bUnit's) and an antiforgery token (the real one needs a request).
/// </summary>
public abstract class ShellContext : BunitContext
{
    protected ShellContext()
    {
        Services.AddLocalization();
        Services.AddMudServices();
        Services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgery());
        JSInterop.Mode = JSRuntimeMode.Loose;
        Authorization = AddAuthorization();
    }

    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>Signs the fake state in with the claims the web app's cookie gives (sub, sid, role).</summary>
    protected ClaimsPrincipal SignIn(UserRole role)
    {
        var principal = Poddle.Web.Auth.WebAuthentication.CreatePrincipal(Guid.NewGuid(), "someone", role, UserTier.Free, Guid.NewGuid());
        Authorization.SetAuthorized("someone");
        Authorization.SetClaims([.. principal.Claims]);
        return principal;
    }

    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("test-token", "__RequestVerificationToken");
    }
}
