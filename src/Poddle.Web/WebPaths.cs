namespace Poddle.Web;

/// <summary>The web app's fixed addresses, shared by pages, redirects and the server's endpoints.</summary>
public static class WebPaths
{
    public const string Home = "/";
    public const string SignIn = "/signin";
    public const string SignUp = "/signup";
    public const string SignOut = "/signout";
}
