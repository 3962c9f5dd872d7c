using Board.Domain;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using static Board.Tests.Given;

namespace Board.Tests.Attachments;

[Trait("Kind", "Domain")]
public sealed class PhotoRuleTests
{
    private static StoredPhoto APhoto(char fill = 'a') => new("image/jpeg", 2048, 1536, new string(fill, 64));

    [Fact]
    public void AddPhoto_AfterTwoApprovals_DismissesThem_AndSaysSoInTheTrail()
    {
        var p = AProposal();
        p.Approve(Ops1, Now, Everyone);
        p.Approve(Ops2, Now, Everyone);
        var approvedHash = p.TextHash;

        var photo = p.AddPhoto(Staff, APhoto(), "The broken shelf by till 2", Now);

        Assert.Empty(p.Approvals);
        Assert.Equal(0, p.CountingApprovals);
        Assert.NotEqual(approvedHash, p.TextHash);
        var added = p.PendingTrail[^1];
        Assert.Equal(TrailActions.AttachmentAdded, added.Action);
        Assert.Equal(photo.Sha256, added.Data["sha256"]!.GetValue<string>());
        Assert.Equal(["Ops one", "Ops two"], added.Data["approvalsDismissed"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(p.TextHash, added.Data["textHash"]!.GetValue<string>());
    }

    [Fact]
    public void RemovePhoto_AfterAnApproval_DismissesIt_AndRestoresTheHashWithoutIt()
    {
        var p = AProposal();
        var withoutPhotos = p.TextHash;
        var photo = p.AddPhoto(Staff, APhoto(), null, Now);
        p.Approve(Ops1, Now, Everyone);

        p.RemovePhoto(Staff, photo.Id, Now);

        Assert.Empty(p.Approvals);
        Assert.Empty(p.Attachments);
        Assert.Equal(withoutPhotos, p.TextHash);
        Assert.Equal(TrailActions.AttachmentRemoved, p.PendingTrail[^1].Action);
        Assert.Equal(photo.Sha256, p.PendingTrail[^1].Data["sha256"]!.GetValue<string>());
    }

    [Fact]
    public void ApprovalHash_CoversThePhotosInOrder()
    {
        var title = "Basket return by till 1";
        var body = "Weekend queues are blocked.";
        Assert.Equal(Proposal.HashText(title, body), Proposal.HashContent(title, body, []));
        Assert.NotEqual(Proposal.HashText(title, body), Proposal.HashContent(title, body, [new string('a', 64)]));
        Assert.NotEqual(
            Proposal.HashContent(title, body, [new string('a', 64), new string('b', 64)]),
            Proposal.HashContent(title, body, [new string('b', 64), new string('a', 64)]));

        var p = AProposal();
        p.AddPhoto(Staff, APhoto('a'), null, Now);
        p.AddPhoto(Staff, APhoto('b'), null, Now);
        Assert.Equal(Proposal.HashContent(p.Title, p.Body, [new string('a', 64), new string('b', 64)]), p.TextHash);
        var approval = p.Approve(Ops1, Now, Everyone);
        Assert.Equal(p.TextHash, approval.TextHash);
    }

    [Fact]
    public void Edit_OfAProposalWithPhotos_ThatChangesNothing_KeepsApprovals()
    {
        var p = AProposal();
        p.AddPhoto(Staff, APhoto(), null, Now);
        p.Approve(Ops1, Now, Everyone);
        Assert.False(p.Edit(Staff, p.Title, p.Body, Now));
        Assert.Single(p.Approvals);
    }

    [Fact]
    public void AddPhoto_ByAnotherMember_RefusesNotAuthor_AndChangesNothing()
    {
        var p = AProposal();
        var version = p.Version;
        Assert.Equal(RefusalCode.NotAuthor, Assert.Throws<Refusal>(() => p.AddPhoto(OtherStaff, APhoto(), null, Now)).Code);
        Assert.Empty(p.Attachments);
        Assert.Equal(version, p.Version);
    }

    [Fact]
    public void AddPhoto_BeyondSix_IsRefused()
    {
        var p = AProposal();
        for (var i = 0; i < Attachment.PerProposalMax; i++) p.AddPhoto(Staff, APhoto((char)('a' + i)), null, Now);
        var refusal = Assert.Throws<Refusal>(() => p.AddPhoto(Staff, APhoto('z'), null, Now));
        Assert.Equal(RefusalCode.Validation, refusal.Code);
        Assert.Equal(Attachment.PerProposalMax, p.Attachments.Count);
    }

    [Fact]
    public void PhotoChanges_OnAClosedProposal_RefuseNotOpen()
    {
        var p = AProposal();
        var photo = p.AddPhoto(Staff, APhoto(), null, Now);
        p.Withdraw(Staff, Now);
        Assert.Equal(RefusalCode.NotOpen, Assert.Throws<Refusal>(() => p.AddPhoto(Staff, APhoto('b'), null, Now)).Code);
        Assert.Equal(RefusalCode.NotOpen, Assert.Throws<Refusal>(() => p.RemovePhoto(Staff, photo.Id, Now)).Code);
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("bidi \u202e trick")]
    public void AddPhoto_WithUncleanAltText_IsRefused(string alt)
    {
        var refusal = Assert.Throws<Refusal>(() => AProposal().AddPhoto(Staff, APhoto(), alt, Now));
        Assert.Equal(RefusalCode.Validation, refusal.Code);
        Assert.Contains("alt", refusal.Errors.Keys);
    }
}
