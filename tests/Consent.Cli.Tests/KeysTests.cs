using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Consent.Cli.Keys;

namespace Consent.Cli.Tests;

public sealed class KeysTests : IDisposable
{
    private readonly TempDirectory directory = new();

    [Theory]
    [InlineData("RS384")]
    [InlineData("ES384")]
    public async Task Generate_WritesAKeyPair_ThatSignsAndVerifies(string algorithm)
    {
        var prefix = directory.File("harbor-house");

        var (exitCode, output, _) = await Cli.RunAsync("keys", "generate", "--alg", algorithm, "--out", prefix);

        exitCode.ShouldBe(ExitCodes.Ok);
        var privateJwk = JsonNode.Parse(await File.ReadAllTextAsync(prefix + ".private.jwk.json"))!.AsObject();
        var publicJwk = JsonNode.Parse(await File.ReadAllTextAsync(prefix + ".public.jwk.json"))!.AsObject();
        ((string?)publicJwk["alg"]).ShouldBe(algorithm);
        ((string?)publicJwk["use"]).ShouldBe("sig");
        ((string?)publicJwk["kid"]).ShouldBe((string?)privateJwk["kid"]);
        output.ShouldContain((string)publicJwk["kid"]!);

        var data = Encoding.UTF8.GetBytes("header.payload");
        if (algorithm == "RS384")
        {
            using var signer = RSA.Create(RsaParameters(privateJwk, withPrivate: true));
            using var verifier = RSA.Create(RsaParameters(publicJwk, withPrivate: false));
            verifier.KeySize.ShouldBeGreaterThanOrEqualTo(2048);
            var signature = signer.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
            verifier.VerifyData(data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1).ShouldBeTrue();
            verifier.VerifyData("tampered"u8.ToArray(), signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1).ShouldBeFalse();
        }
        else
        {
            ((string?)publicJwk["crv"]).ShouldBe("P-384");
            using var signer = ECDsa.Create(EcParameters(privateJwk, withPrivate: true));
            using var verifier = ECDsa.Create(EcParameters(publicJwk, withPrivate: false));
            var signature = signer.SignData(data, HashAlgorithmName.SHA384);
            verifier.VerifyData(data, signature, HashAlgorithmName.SHA384).ShouldBeTrue();
            verifier.VerifyData("tampered"u8.ToArray(), signature, HashAlgorithmName.SHA384).ShouldBeFalse();
        }
    }

    [Theory]
    [InlineData("RS384")]
    [InlineData("ES384")]
    public async Task PublicFile_HasNoPrivateMembers_AndPrivateFile_IsOwnerOnly(string algorithm)
    {
        var prefix = directory.File("clinic");

        (await Cli.RunAsync("keys", "generate", "--alg", algorithm, "--out", prefix)).ExitCode.ShouldBe(ExitCodes.Ok);

        var publicJwk = JsonNode.Parse(await File.ReadAllTextAsync(prefix + ".public.jwk.json"))!.AsObject();
        publicJwk.Select(member => member.Key).ShouldBeSubsetOf(["kty", "kid", "use", "alg", "n", "e", "crv", "x", "y"]);
        var privateJwk = JsonNode.Parse(await File.ReadAllTextAsync(prefix + ".private.jwk.json"))!.AsObject();
        privateJwk.ContainsKey("d").ShouldBeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(prefix + ".private.jwk.json").ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public void KeyId_IsTheRfc7638Thumbprint()
    {
        // The example key of RFC 7638, section 3.1.
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["n"] = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            ["e"] = "AQAB",
            ["alg"] = "RS256",
            ["kid"] = "2011-04-29",
        };

        JwkKeyPair.Thumbprint(jwk).ShouldBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    [Fact]
    public async Task Generate_DoesNotOverwriteAnExistingKey_UnlessForced()
    {
        var prefix = directory.File("shelter");
        (await Cli.RunAsync("keys", "generate", "--out", prefix)).ExitCode.ShouldBe(ExitCodes.Ok);
        var first = await File.ReadAllTextAsync(prefix + ".private.jwk.json");

        var (exitCode, _, error) = await Cli.RunAsync("keys", "generate", "--out", prefix);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("already exists");
        (await File.ReadAllTextAsync(prefix + ".private.jwk.json")).ShouldBe(first);

        (await Cli.RunAsync("keys", "generate", "--out", prefix, "--force")).ExitCode.ShouldBe(ExitCodes.Ok);
        (await File.ReadAllTextAsync(prefix + ".private.jwk.json")).ShouldNotBe(first);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(prefix + ".private.jwk.json").ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static RSAParameters RsaParameters(JsonObject jwk, bool withPrivate)
    {
        var parameters = new RSAParameters { Modulus = Bytes(jwk, "n"), Exponent = Bytes(jwk, "e") };
        if (withPrivate)
        {
            parameters.D = Bytes(jwk, "d");
            parameters.P = Bytes(jwk, "p");
            parameters.Q = Bytes(jwk, "q");
            parameters.DP = Bytes(jwk, "dp");
            parameters.DQ = Bytes(jwk, "dq");
            parameters.InverseQ = Bytes(jwk, "qi");
        }

        return parameters;
    }

    private static ECParameters EcParameters(JsonObject jwk, bool withPrivate) => new()
    {
        Curve = ECCurve.NamedCurves.nistP384,
        Q = new ECPoint { X = Bytes(jwk, "x"), Y = Bytes(jwk, "y") },
        D = withPrivate ? Bytes(jwk, "d") : null,
    };

    private static byte[] Bytes(JsonObject jwk, string member)
    {
        var text = ((string?)jwk[member]).ShouldNotBeNull().Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
    }

    public void Dispose() => directory.Dispose();
}
