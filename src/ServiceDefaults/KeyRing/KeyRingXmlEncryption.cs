using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.ServiceDefaults.KeyRing;

/// <summary>Seals each Data Protection key's secret with the key-encryption key before the key ring stores it.</summary>
public sealed class KeyRingXmlEncryptor(KeyEncryptionKeys keys) : IXmlEncryptor
{
    internal const string Context = "data-protection-key";
    internal const string ElementName = "sealedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement) => new(
        new XElement(ElementName, keys.Seal(Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)), Context)),
        typeof(KeyRingXmlDecryptor));
}

/// <summary>Opens what <see cref="KeyRingXmlEncryptor"/> sealed; Data Protection creates it by its type name, with the app's services.</summary>
public sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        XElement.Parse(Encoding.UTF8.GetString(services.GetRequiredService<KeyEncryptionKeys>().Open(encryptedElement.Value, KeyRingXmlEncryptor.Context)));
}
