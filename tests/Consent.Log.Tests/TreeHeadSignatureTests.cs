using System.Diagnostics;
using System.Security.Cryptography;
using Consent.Log.TreeHeads;

namespace Consent.Log.Tests;

public sealed class TreeHeadSignatureTests
{
    private static readonly byte[] Root = Enumerable.Range(0, 32).Select(i => (byte)(0xa0 + i)).ToArray();

    [Fact]
    public void SignedBytes_AreTheFiftyDocumentedBytes()
    {
        var bytes = TreeHeadSignature.SignedBytes(timestamp: 0x0102030405060708, treeSize: 0x1112131415161718, Root);

        bytes.Length.ShouldBe(50);
        Convert.ToHexStringLower(bytes).ShouldBe(
            "0001" + "0102030405060708" + "1112131415161718" + "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    }

    [Fact]
    public void SignThenVerify_RoundTrips_AndTheKeyIdIsTheSha256OfTheKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        var head = Head(key, 1_767_225_600_123, 42, Root);

        TreeHeadSignature.Verify(spki, head).ShouldBeTrue();
        head.KeyId.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(spki)));
        head.KeyId.ShouldMatch("^[0-9a-f]{64}$");
    }

    [Theory]
    [InlineData("root")]
    [InlineData("size")]
    [InlineData("timestamp")]
    [InlineData("signature")]
    public void AFlippedBit_AnywhereInTheHead_FailsVerification(string field)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var head = Head(key, 1_767_225_600_123, 42, Root);
        var flipped = field switch
        {
            "root" => head with { RootHash = Flip(head.RootHash, 17) },
            "size" => head with { TreeSize = head.TreeSize ^ 1 },
            "timestamp" => head with { Timestamp = head.Timestamp ^ (1L << 40) },
            _ => head with { Signature = Flip(head.Signature, head.Signature.Length - 3) },
        };

        TreeHeadSignature.Verify(key.ExportSubjectPublicKeyInfo(), flipped).ShouldBeFalse();
    }

    [Fact]
    public void AnotherKey_OrAKeyIdThatIsNotTheKeys_OrAnotherCurve_FailsVerification()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var head = Head(key, 1_767_225_600_123, 42, Root);

        TreeHeadSignature.Verify(other.ExportSubjectPublicKeyInfo(), head).ShouldBeFalse();
        TreeHeadSignature.Verify(other.ExportSubjectPublicKeyInfo(), head with { KeyId = TreeHeadSignature.KeyIdOf(other.ExportSubjectPublicKeyInfo()) }).ShouldBeFalse();
        TreeHeadSignature.Verify(key.ExportSubjectPublicKeyInfo(), head with { KeyId = new string('0', 64) }).ShouldBeFalse();
        TreeHeadSignature.Verify(p384.ExportSubjectPublicKeyInfo(), head with { KeyId = TreeHeadSignature.KeyIdOf(p384.ExportSubjectPublicKeyInfo()) }).ShouldBeFalse();
        TreeHeadSignature.Verify("not a key"u8, head).ShouldBeFalse();
        TreeHeadSignature.Verify(key.ExportSubjectPublicKeyInfo(), head with { Signature = [1, 2, 3] }).ShouldBeFalse();
    }

    [Fact]
    public void Json_RoundTrips()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var head = Head(key, 1_767_225_600_123, 42, Root);

        var parsed = TreeHeadJson.Parse(TreeHeadJson.Write(head));

        parsed.TreeSize.ShouldBe(42);
        parsed.Timestamp.ShouldBe(1_767_225_600_123);
        parsed.RootHash.ShouldBe(Root);
        parsed.KeyId.ShouldBe(head.KeyId);
        parsed.Signature.ShouldBe(head.Signature);
        Should.Throw<FormatException>(() => TreeHeadJson.Parse("""{"treeSize": 1}"""));
        Should.Throw<FormatException>(() => TreeHeadJson.Parse("not json"));
    }

    [OpensslFact]
    public async Task TheDocumentedOpensslCommand_VerifiesASignedHead_AndRejectsAnAlteredOne()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var head = Head(key, 1_767_225_600_123, 42, Root);
        var directory = Directory.CreateTempSubdirectory("tree-head-").FullName;
        try
        {
            var pem = Path.Combine(directory, "key.pem");
            await File.WriteAllTextAsync(pem, key.ExportSubjectPublicKeyInfoPem());
            await File.WriteAllBytesAsync(Path.Combine(directory, "sig.der"), head.Signature);
            await File.WriteAllBytesAsync(Path.Combine(directory, "tbs.bin"), TreeHeadSignature.SignedBytes(head.Timestamp, head.TreeSize, head.RootHash));
            await File.WriteAllBytesAsync(Path.Combine(directory, "other.bin"), TreeHeadSignature.SignedBytes(head.Timestamp, head.TreeSize + 1, head.RootHash));

            var (ok, okOutput) = await OpensslAsync(directory, "dgst", "-sha256", "-verify", "key.pem", "-signature", "sig.der", "tbs.bin");
            var (altered, _) = await OpensslAsync(directory, "dgst", "-sha256", "-verify", "key.pem", "-signature", "sig.der", "other.bin");

            ok.ShouldBe(0);
            okOutput.ShouldContain("Verified OK");
            altered.ShouldNotBe(0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static TreeHead Head(ECDsa key, long timestamp, long size, byte[] root) =>
        new(size, timestamp, root, TreeHeadSignature.KeyIdOf(key.ExportSubjectPublicKeyInfo()), TreeHeadSignature.Sign(key, timestamp, size, root));

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x01;
        return copy;
    }

    private static async Task<(int ExitCode, string Output)> OpensslAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}

/// <summary>A test that runs only where the <c>openssl</c> command is on PATH.</summary>
public sealed class OpensslFactAttribute : FactAttribute
{
    public OpensslFactAttribute()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(directory => File.Exists(Path.Combine(directory, "openssl")) || File.Exists(Path.Combine(directory, "openssl.exe")));
        if (!onPath)
        {
            Skip = "openssl is not on PATH";
        }
    }
}
