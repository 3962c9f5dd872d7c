using System.Security.Cryptography;
using Board.Domain;
using Board.Domain.Proposals;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Board.Web.Attachments;

/// <summary>A photo as it is stored: re-encoded pixels only, with a thumbnail, named by the SHA-256 of its bytes.</summary>
public sealed record ProcessedPhoto(string ContentType, int Width, int Height, byte[] Bytes, byte[] Thumbnail)
{
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Bytes));

    public StoredPhoto Facts => new(ContentType, Width, Height, Sha256);
}

/// <summary>
/// Turns an upload into what Board stores. Nothing of the upload's bytes is kept: the image is decoded (JPEG, PNG or
/// WebP, recognised by its bytes, never by its name or the type the client claims), turned upright by its EXIF
/// orientation, scaled so that its longest side is at most 2048 px, and its pixels copied into a new image that has no
/// metadata at all (EXIF with GPS, XMP, IPTC, ICC, PNG text) before it is encoded again in its own format.
/// </summary>
public sealed class PhotoProcessor
{
    /// <summary>Beyond this many pixels an upload is refused before it is decoded (a small file can claim a huge image).</summary>
    public const long PixelsMax = 50_000_000;

    private static readonly JpegEncoder Jpeg = new() { Quality = 85 };
    private static readonly PngEncoder Png = new();
    private static readonly WebpEncoder Webp = new() { Quality = 80, FileFormat = WebpFileFormatType.Lossy };

    // Only the three formats we take: anything else (GIF, BMP, TIFF…) is "not an image" to this configuration.
    private readonly Configuration _configuration = new(new JpegConfigurationModule(), new PngConfigurationModule(), new WebpConfigurationModule())
    {
        MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { MaximumPoolSizeMegabytes = 64 }),
    };

    // A decoded photo takes up to 4 bytes per pixel: one decode at a time per core bounds what uploads can make the server hold.
    private readonly SemaphoreSlim _decoding = new(Math.Max(1, Environment.ProcessorCount));

    public async Task<ProcessedPhoto> ProcessAsync(Stream upload, CancellationToken ct)
    {
        await _decoding.WaitAsync(ct);
        try
        {
            var (info, format) = await Image.IdentifyWithFormatAsync(_configuration, upload, ct);
            if (info is null || format is null) throw NotAPhoto();
            if ((long)info.Width * info.Height > PixelsMax)
                throw Refusal.Invalid("file", $"The photo has too many pixels (at most {PixelsMax / 1_000_000} million).");
            upload.Position = 0;
            return format is JpegFormat
                ? await ReencodeAsync<Rgb24>(upload, Jpeg, "image/jpeg", ct)
                : await ReencodeAsync<Rgba32>(upload, format is PngFormat ? Png : Webp, format is PngFormat ? "image/png" : "image/webp", ct);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidMemoryOperationException)
        {
            throw NotAPhoto();
        }
        finally
        {
            _decoding.Release();
        }
    }

    private async Task<ProcessedPhoto> ReencodeAsync<TPixel>(Stream upload, IImageEncoder encoder, string contentType, CancellationToken ct)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var decoded = await Image.LoadAsync<TPixel>(_configuration, upload, ct);
        decoded.Mutate(x => x.AutoOrient());
        if (Math.Max(decoded.Width, decoded.Height) > Attachment.LongestSideMax)
            decoded.Mutate(x => x.Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(Attachment.LongestSideMax) }));

        using var clean = PixelsOnly(decoded);
        var bytes = await EncodeAsync(clean, encoder, ct);
        clean.Mutate(x => x.Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(Attachment.ThumbnailSideMax) }));
        var thumbnail = await EncodeAsync(clean, encoder, ct);
        return new ProcessedPhoto(contentType, decoded.Width, decoded.Height, bytes, thumbnail);
    }

    /// <summary>A new image with the first frame's pixels and nothing else: no profile or text of the upload survives.</summary>
    private Image<TPixel> PixelsOnly<TPixel>(Image<TPixel> source) where TPixel : unmanaged, IPixel<TPixel>
    {
        var clean = new Image<TPixel>(_configuration, source.Width, source.Height);
        source.ProcessPixelRows(clean, (from, to) =>
        {
            for (var y = 0; y < from.Height; y++) from.GetRowSpan(y).CopyTo(to.GetRowSpan(y));
        });
        return clean;
    }

    private static async Task<byte[]> EncodeAsync<TPixel>(Image<TPixel> image, IImageEncoder encoder, CancellationToken ct) where TPixel : unmanaged, IPixel<TPixel>
    {
        using var output = new MemoryStream();
        await image.SaveAsync(output, encoder, ct);
        return output.ToArray();
    }

    private static Refusal NotAPhoto() => Refusal.Invalid("file", "This is not a photo Board can read: send a JPEG, PNG or WebP image.");
}
