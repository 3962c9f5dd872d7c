using Board.Domain;
using Board.Domain.Boards;
using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using static Board.Tests.Given;

namespace Board.Tests.Proposals;

[Trait("Kind", "Domain")]
public sealed class ProposalRuleTests
{
    [Fact]
    public void Post_CopiesThePolicyInForce_AndRecordsPosted()
    {
        var board = ABoard(new BoardPolicy(2, Roles.Operations, 7));
        var p = AProposal(board);
        Assert.Equal(ProposalStatus.Open, p.Status);
        Assert.Equal(2, p.ApprovalsRequired);
        Assert.Equal(Roles.Operations, p.ApproverRole);
        Assert.Equal(Now.AddDays(7), p.ExpiresAt);
        Assert.Equal([TrailActions.ProposalPosted], p.PendingTrail.Select(f => f.Action));

        board.ChangePolicy(new BoardPolicy(4, Roles.Manager, 0), Admin, Now);
        Assert.Equal(2, p.ApprovalsRequired);
        var later = AProposal(board);
        Assert.Equal(4, later.ApprovalsRequired);
        Assert.Equal(Roles.Manager, later.ApproverRole);
        Assert.Null(later.ExpiresAt);
    }

    [Theory]
    [InlineData("", "body", "title")]
    [InlineData("   ", "body", "title")]
    public void Post_WithInvalidText_IsRefusedWithFieldErrors(string title, string body, string field)
    {
        var refusal = Assert.Throws<Refusal>(() => Proposal.Post(ABoard(), Staff, title, body, null, Now));
        Assert.Equal(RefusalCode.Validation, refusal.Code);
        Assert.Contains(field, refusal.Errors.Keys);
    }

    [Fact]
    public void Post_WithTooLongTitleOrBody_IsRefused()
    {
        Assert.Contains("title", Assert.Throws<Refusal>(() => Proposal.Post(ABoard(), Staff, new string('a', Proposal.TitleMax + 1), "", null, Now)).Errors.Keys);
        Assert.Contains("body", Assert.Throws<Refusal>(() => Proposal.Post(ABoard(), Staff, "t", new string('a', Proposal.BodyMax + 1), null, Now)).Errors.Keys);
        Assert.Equal(Proposal.TitleMax, Proposal.Post(ABoard(), Staff, new string('가', Proposal.TitleMax), "", null, Now).Title.Length);
    }

    [Fact]
    public void Approve_WhenAuthorApproves_RefusesOwnProposal()
    {
        var author = Person("Ops author", Roles.Operations);
        var p = AProposal(author: author);
        Assert.Equal(RefusalCode.OwnProposal, Assert.Throws<Refusal>(() => p.Approve(author, Now, Everyone)).Code);
        Assert.Empty(p.Approvals);
    }

    [Fact]
    public void Approve_WithoutApproverRole_RefusesNotApprover()
    {
        var p = AProposal();
        Assert.Equal(RefusalCode.NotApprover, Assert.Throws<Refusal>(() => p.Approve(OtherStaff, Now, Everyone)).Code);
        Assert.Equal(RefusalCode.NotApprover, Assert.Throws<Refusal>(() => p.Approve(Ops1 with { IsActive = false }, Now, Everyone)).Code);
        Assert.Empty(p.Approvals);
    }

    [Fact]
    public void Approve_Twice_RefusesAlreadyApproved_AndChangesNothing()
    {
        var p = AProposal();
        p.Approve(Ops1, Now, Everyone);
        var version = p.Version;
        Assert.Equal(RefusalCode.AlreadyApproved, Assert.Throws<Refusal>(() => p.Approve(Ops1, Now, Everyone)).Code);
        Assert.Single(p.Approvals);
        Assert.Equal(version, p.Version);
    }

    [Fact]
    public void Approve_ReachingTheQuorum_ExecutesInTheSameChange()
    {
        var p = AProposal();
        p.Approve(Ops1, Now, Everyone);
        p.Approve(Ops2, Now.AddMinutes(1), Everyone);
        Assert.Equal(ProposalStatus.Open, p.Status);
        p.Approve(Ops3, Now.AddMinutes(2), Everyone);
        Assert.Equal(ProposalStatus.Executed, p.Status);
        Assert.Equal(Now.AddMinutes(2), p.ExecutedAt);
        Assert.Equal(
            [TrailActions.ProposalPosted, TrailActions.ApprovalAdded, TrailActions.ApprovalAdded, TrailActions.ApprovalAdded, TrailActions.ProposalExecuted],
            p.PendingTrail.Select(f => f.Action));
        Assert.Equal(Ops3.Name, p.PendingTrail[^1].Data["tippedBy"]!.GetValue<string>());
    }

    [Fact]
    public void Approve_AfterExecution_RefusesNotOpen()
    {
        var p = AProposal(ABoard(BoardPolicy.Default with { ApprovalsRequired = 1 }));
        p.Approve(Ops1, Now, Everyone);
        Assert.Equal(ProposalStatus.Executed, p.Status);
        Assert.Equal(RefusalCode.NotOpen, Assert.Throws<Refusal>(() => p.Approve(Ops2, Now, Everyone)).Code);
        Assert.Single(p.Approvals);
    }

    /// <summary>
    /// What lets the approval path refuse a closed proposal on a read made before the write lock: once closed, every
    /// approval is refused not-open, whoever asks and whoever still counts, at any later time, and nothing changes.
    /// </summary>
    [Theory]
    [InlineData(ProposalStatus.Executed)]
    [InlineData(ProposalStatus.Done)]
    [InlineData(ProposalStatus.Withdrawn)]
    [InlineData(ProposalStatus.Expired)]
    public void Approve_OfAClosedProposal_IsRefusedNotOpen_ByAnyone_AtAnyLaterTime(ProposalStatus status)
    {
        var p = AProposal(ABoard(BoardPolicy.Default with { ApprovalsRequired = 2, ExpiresAfterDays = 7 }));
        Assert.False(p.IsClosed);
        switch (status)
        {
            case ProposalStatus.Executed or ProposalStatus.Done:
                p.Approve(Ops1, Now, Everyone);
                p.Approve(Ops2, Now, Everyone);
                if (status == ProposalStatus.Done) p.Complete(Ops3, "done", Now);
                break;
            case ProposalStatus.Withdrawn:
                p.Withdraw(Staff, Now);
                break;
            case ProposalStatus.Expired:
                Assert.True(p.Expire(Now.AddDays(8)));
                break;
        }
        Assert.Equal(status, p.Status);
        Assert.True(p.IsClosed);
        var version = p.Version;
        var approvals = p.Approvals.Count;
        foreach (var who in new[] { Staff, OtherStaff, Ops1, Ops3, Ops4, Admin })
            foreach (var when in new[] { Now, Now.AddDays(1), Now.AddYears(5) })
                foreach (var counts in new[] { Everyone, _ => false })
                    Assert.Equal(RefusalCode.NotOpen, Assert.Throws<Refusal>(() => p.Approve(who, when, counts)).Code);
        Assert.Equal(version, p.Version);
        Assert.Equal(approvals, p.Approvals.Count);
        Assert.True(p.IsClosed);
    }

    [Fact]
    public void Approve_RechecksEarlierApprovers_AndOneWhoLostTheRoleNoLongerCounts()
    {
        var p = AProposal();
        p.Approve(Ops1, Now, Everyone);
        p.Approve(Ops2, Now, Everyone);
        p.Approve(Ops3, Now, id => id != Ops1.Id);
        Assert.Equal(ProposalStatus.Open, p.Status);
        Assert.Equal(2, p.CountingApprovals);
        Assert.False(p.Approvals.Single(a => a.MemberId == Ops1.Id).Counts);
        Assert.Equal(3, p.Approvals.Count);

        p.Approve(Ops4, Now, id => id != Ops1.Id);
        Assert.Equal(ProposalStatus.Executed, p.Status);
    }

    [Fact]
    public void TakeBack_WhileOpen_RemovesTheApproval_AndWithoutOneIsRefused()
    {
        var p = AProposal();
        p.Approve(Ops1, Now, Everyone);
        p.TakeBackApproval(Ops1, Now);
        Assert.Empty(p.Approvals);
        Assert.Equal(TrailActions.ApprovalWithdrawn, p.PendingTrail[^1].Action);
        Assert.Equal(RefusalCode.NotApproved, Assert.Throws<Refusal>(() => p.TakeBackApproval(Ops1, Now)).Code);
        p.Approve(Ops1, Now, Everyone);
        Assert.Single(p.Approvals);
    }

    [Fact]
    public void Edit_ThatChangesTheWords_DismissesApprovals_AndSaysSo()
    {
        var p = AProposal();
        p.Approve(Ops1, Now, Everyone);
        p.Approve(Ops2, Now, Everyone);
        Assert.True(p.Edit(Staff, "Basket return by till 2", p.Body, Now));
        Assert.Empty(p.Approvals);
        var edited = p.PendingTrail[^1];
        Assert.Equal(TrailActions.ProposalEdited, edited.Action);
        Assert.Equal(2, edited.Data["approvalsDismissed"]!.AsArray().Count);
    }

    [Fact]
    public void Edit_ThatChangesNothing_KeepsApprovals_AndRecordsNothing()
    {
        var p = AProposal();
        p.Approve(Ops1, Now, Everyone);
        var trail = p.PendingTrail.Count;
        Assert.False(p.Edit(Staff, "  " + p.Title + " ", p.Body + "\n", Now));
        Assert.Single(p.Approvals);
        Assert.Equal(trail, p.PendingTrail.Count);
    }

    [Fact]
    public void Edit_ByAnotherMember_RefusesNotAuthor()
    {
        var p = AProposal();
        Assert.Equal(RefusalCode.NotAuthor, Assert.Throws<Refusal>(() => p.Edit(OtherStaff, "x", "y", Now)).Code);
        Assert.Equal(RefusalCode.NotAuthor, Assert.Throws<Refusal>(() => p.Withdraw(OtherStaff, Now)).Code);
    }

    [Fact]
    public void Withdraw_ByAuthor_ClosesIt_AndNothingLeavesWithdrawn()
    {
        var p = AProposal();
        p.Withdraw(Staff, Now);
        Assert.Equal(ProposalStatus.Withdrawn, p.Status);
        Assert.Equal(RefusalCode.NotOpen, Assert.Throws<Refusal>(() => p.Approve(Ops1, Now, Everyone)).Code);
        Assert.Equal(RefusalCode.NotOpen, Assert.Throws<Refusal>(() => p.Edit(Staff, "x", "y", Now)).Code);
        Assert.Equal(RefusalCode.NotOpen, Assert.Throws<Refusal>(() => p.Withdraw(Staff, Now)).Code);
        Assert.False(p.Expire(Now.AddYears(1)));
    }

    [Fact]
    public void Expire_PastTheDeadline_Expires_AndNotBefore()
    {
        var p = AProposal();
        Assert.False(p.Expire(Now.AddDays(14).AddTicks(-1)));
        Assert.Equal(ProposalStatus.Open, p.Status);
        Assert.True(p.Expire(Now.AddDays(14)));
        Assert.Equal(ProposalStatus.Expired, p.Status);
        Assert.Equal(Actor.System, p.PendingTrail[^1].Actor);
    }

    [Fact]
    public void Approve_PastTheDeadlineBeforeTheSweep_RefusesNotOpen()
    {
        var p = AProposal();
        Assert.Equal(RefusalCode.NotOpen, Assert.Throws<Refusal>(() => p.Approve(Ops1, Now.AddDays(15), Everyone)).Code);
    }

    [Fact]
    public void Expire_WithNoExpiry_NeverExpires()
    {
        var p = AProposal(ABoard(BoardPolicy.Default with { ExpiresAfterDays = 0 }));
        Assert.False(p.Expire(Now.AddYears(10)));
    }

    [Fact]
    public void Complete_NeedsOperations_AnExecutedProposal_AndANote()
    {
        var p = AProposal(ABoard(BoardPolicy.Default with { ApprovalsRequired = 1 }));
        Assert.Equal(RefusalCode.NotExecuted, Assert.Throws<Refusal>(() => p.Complete(Ops1, "done", Now)).Code);
        p.Approve(Ops1, Now, Everyone);
        Assert.Equal(RefusalCode.Forbidden, Assert.Throws<Refusal>(() => p.Complete(Staff, "done", Now)).Code);
        Assert.Equal(RefusalCode.Validation, Assert.Throws<Refusal>(() => p.Complete(Ops2, "  ", Now)).Code);
        p.Complete(Ops2, "Installed on Monday", Now);
        Assert.Equal(ProposalStatus.Done, p.Status);
        Assert.Equal("Installed on Monday", p.CompletionNote);
        Assert.Equal(RefusalCode.NotExecuted, Assert.Throws<Refusal>(() => p.Complete(Ops2, "again", Now)).Code);
    }

    [Fact]
    public void Reverses_MustNameAnExecutedOrDoneProposalOnTheSameBoard()
    {
        var board = ABoard(BoardPolicy.Default with { ApprovalsRequired = 1 });
        var open = AProposal(board);
        Assert.Contains("reverses", Assert.Throws<Refusal>(() => Proposal.Post(board, Staff, "Undo", "", open, Now)).Errors.Keys);
        open.Approve(Ops1, Now, Everyone);
        var reversal = Proposal.Post(board, Staff, "Undo", "", open, Now);
        Assert.Equal(open.Id, reversal.ReversesId);
        Assert.Contains("reverses", Assert.Throws<Refusal>(() => Proposal.Post(ABoard(), Staff, "Undo", "", open, Now)).Errors.Keys);
    }

    [Fact]
    public void Comment_IsAllowedInAnyState_ButNotEmptyOrFromAnInactiveMember()
    {
        var p = AProposal();
        p.Withdraw(Staff, Now);
        p.AddComment(OtherStaff, "Shame, it was a good idea", Now);
        Assert.Single(p.Comments);
        Assert.Equal(RefusalCode.Validation, Assert.Throws<Refusal>(() => p.AddComment(OtherStaff, " ", Now)).Code);
        Assert.Equal(RefusalCode.Inactive, Assert.Throws<Refusal>(() => p.AddComment(OtherStaff with { IsActive = false }, "hi", Now)).Code);
    }

    [Fact]
    public void ApprovalRecordsTheHashOfTheWordsItApproved()
    {
        var p = AProposal();
        var approval = p.Approve(Ops1, Now, Everyone);
        Assert.Equal(Proposal.HashText(p.Title, p.Body), approval.TextHash);
    }
}
