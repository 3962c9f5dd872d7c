using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Push;

public sealed class PushDeviceConfiguration : IEntityTypeConfiguration<PushDevice>
{
    public void Configure(EntityTypeBuilder<PushDevice> b)
    {
        b.ToTable("push_devices");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.HasOne<MemberAccount>().WithMany().HasForeignKey(x => x.MemberId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Endpoint).HasMaxLength(PushDevice.EndpointMax).IsRequired();
        b.Property(x => x.P256dh).HasMaxLength(100).IsRequired();
        b.Property(x => x.Auth).HasMaxLength(40).IsRequired();
        b.Property(x => x.Language).HasMaxLength(PushDevice.LanguageMax).IsRequired();
        // A device is one subscription, whoever is signed in on it now.
        b.HasIndex(x => x.Endpoint).IsUnique();
        b.HasIndex(x => x.MemberId);
    }
}

public sealed class PushNoticeConfiguration : IEntityTypeConfiguration<PushNotice>
{
    public void Configure(EntityTypeBuilder<PushNotice> b)
    {
        b.ToTable("push_notices");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.HasOne<PushDevice>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.LastError).HasMaxLength(Webhooks.WebhookAttempt.ErrorMax);
        b.HasIndex(x => new { x.Status, x.NextAttemptAt });
        b.HasIndex(x => new { x.DeviceId, x.Kind, x.Status });
        b.HasIndex(x => x.LeaseId);
    }
}
