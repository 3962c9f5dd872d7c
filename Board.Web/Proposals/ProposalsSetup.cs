namespace Board.Web.Proposals;

public static class ProposalsSetup
{
    /// <summary>One Markdown pipeline and one view per committed proposal state, shared by every reader.</summary>
    public static IServiceCollection AddProposals(this IServiceCollection services) => services
        .AddSingleton<MarkdownRenderer>()
        .AddSingleton<ProposalViews>();
}
