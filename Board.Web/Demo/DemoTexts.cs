namespace Board.Web.Demo;

/// <summary>Improvement proposals as store staff write them, in Korean and English.</summary>
internal static class DemoTexts
{
    public sealed record Text(string Title, string Body);

    public static readonly Text[] Korean =
    [
        new("계산대 옆 장바구니 반납대 추가", "주말 오후에 계산대 앞이 장바구니로 막힙니다.\n\n- 1번 계산대 옆에 반납대 하나 추가\n- 바닥에 안내 스티커 부착\n\n예상 비용: 약 **15만 원**"),
        new("냉장 코너 온도 점검 시간 변경", "현재 오전 10시 점검은 입고 시간과 겹칩니다. 점검을 **오전 8시 30분**으로 앞당기면 입고 전에 이상을 발견할 수 있습니다."),
        new("유통기한 임박 상품 할인 스티커 통일", "지점마다 스티커 색이 달라 고객이 헷갈려 합니다.\n\n1. 3일 이내: 노란색 20%\n2. 1일 이내: 빨간색 50%\n\n본사 디자인 그대로 사용하면 추가 비용은 없습니다."),
        new("직원 휴게실 전자레인지 한 대 추가", "점심시간(12~13시)에 전자레인지 앞 대기 줄이 10분 이상입니다. 한 대 추가를 제안합니다."),
        new("택배 픽업 보관함 위치 이동", "입구 쪽 보관함 때문에 유모차가 지나가기 어렵습니다. 고객센터 옆 빈 공간으로 옮기면 통로가 1.2m 확보됩니다."),
        new("야간 재고 실사 인원 2명 → 3명", "월말 실사 때 2명으로는 새벽 4시를 넘깁니다. 한 명을 추가하면 오전 2시 전에 끝낼 수 있습니다."),
        new("셀프 계산대 영수증 기본값을 '출력 안 함'으로", "고객 대부분이 영수증을 바로 버립니다. 모바일 영수증 안내 문구와 함께 기본값을 바꾸면 용지 비용이 월 약 30% 줄어듭니다."),
        new("우천 시 입구 미끄럼 방지 매트 상시 비치", "지난달 비 오는 날 두 번 미끄러짐 사고가 있었습니다. 매트를 창고가 아닌 입구 옆 보관함에 두자는 제안입니다."),
        new("신선식품 진열 순서 변경 (선입선출)", "새로 들어온 상품이 앞에 진열되는 경우가 많습니다. 진열 가이드에 **선입선출** 체크 항목을 추가합시다."),
        new("고객 문의 응대 스크립트 개정", "교환·환불 문의가 늘었습니다. 자주 묻는 질문 5개에 대한 답변을 스크립트에 넣어 응대 시간을 줄이자는 제안입니다."),
    ];

    public static readonly Text[] English =
    [
        new("Move the bakery display nearer the entrance", "Fresh bread sells out faster when customers see it first.\n\n- Swap the bakery and the household aisle\n- Keep the oven where it is\n\nOne evening shift of work, no cost."),
        new("Second card reader at the express lane", "The express lane queue is longest at lunch. A second reader lets a colleague take payments during peaks."),
        new("Label shelf edges in English and Korean", "Tourists ask staff for prices several times an hour. Bilingual shelf labels would answer most questions."),
        new("Start the online order picking at 7:00", "Picking for same-day delivery starts at 8:00 and the first van often leaves late. Starting an hour earlier would fix that."),
        new("Switch the staff rota to a shared calendar", "Shift swaps happen by text message and get lost. A shared calendar shows who covers whom."),
        new("Reusable crates for store-to-store transfers", "We throw away about 40 cardboard boxes a week on transfers. Reusable crates pay for themselves in about three months."),
        new("Quiet hour on Tuesday mornings", "Dim the lights and turn the music off from 9:00 to 10:00 for customers who find the store overwhelming."),
        new("Return shelf for items left at checkout", "Items customers change their minds about pile up at the tills. A small return shelf keeps the tills clear."),
        new("Shorter product description template for the online shop", "Descriptions are long and inconsistent. A five-line template (what, size, origin, storage, allergens) reads better on phones."),
        new("Weekly five-minute safety briefing", "Start Monday's first shift with five minutes on one safety topic; rotate who presents."),
    ];

    public static readonly string[] Comments =
    [
        "좋은 생각입니다. 다음 주부터 해 볼 수 있을 것 같아요.",
        "비용은 어느 예산에서 나가나요?",
        "Agreed — we had the same problem last month.",
        "Could we try it in one store first?",
        "고객 반응도 함께 기록하면 좋겠습니다.",
        "I can help with the setup on Saturday.",
    ];

    public static readonly string[] Outcomes =
    [
        "설치 완료했습니다. 첫 주 반응 좋습니다.",
        "Done in all stores; staff briefed.",
        "적용 완료. 한 달 뒤 효과를 다시 보고하겠습니다.",
        "Rolled out on Monday; no complaints so far.",
    ];
}
