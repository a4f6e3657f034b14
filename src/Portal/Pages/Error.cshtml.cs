using Consent.Portal.SignIn;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages;

/// <summary>The page behind every error answer for browsers; other callers get ProblemDetails.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel(IProblemDetailsService problems) : PageModel
{
    public int Code { get; private set; } = StatusCodes.Status404NotFound;

    public bool IsNotFound => Code == StatusCodes.Status404NotFound;

    public bool IsForbidden => Code == StatusCodes.Status403Forbidden;

    /// <summary>The error came from signing in (most often: the provider cannot be reached).</summary>
    public bool DuringSignIn { get; private set; }

    public Task<IActionResult> OnGetAsync(int code) => RespondAsync(code);

    public Task<IActionResult> OnPostAsync(int code) => RespondAsync(code);

    private async Task<IActionResult> RespondAsync(int code)
    {
        Code = code is >= 400 and <= 599 ? code : StatusCodes.Status404NotFound;
        Response.StatusCode = Code;
        var originalPath = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath
                           ?? HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path;
        DuringSignIn = originalPath is not null &&
                       (originalPath.Equals(PortalPaths.SignIn, StringComparison.OrdinalIgnoreCase) ||
                        originalPath.StartsWith("/callback/", StringComparison.OrdinalIgnoreCase));

        if (Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            return Page();
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = HttpContext,
            ProblemDetails = { Status = Code },
        });
        return new EmptyResult();
    }
}
