//! One short article per case: the claims the extractor must find, and for
//! each trap the claim it must not make together with the one the same text
//! does make (so a case cannot pass by finding nothing at all).

use super::*;
use crate::alert::message::format_value;
use chrono::NaiveDate;
use rstest::rstest;

fn claims_of(title: &str, text: &str) -> Vec<String> {
    let lex = Lexicon::shared();
    let article = Article {
        title: title.into(),
        source: Some("Wire".into()),
        url: None,
        path: None,
        published: NaiveDate::from_ymd_opt(2024, 9, 6).unwrap_or_default(),
        text: text.into(),
    };
    extract(&article, lex)
        .iter()
        .map(|c| {
            format!(
                "{} {} = {} ({:?})",
                c.event.key,
                c.attribute.as_str(),
                format_value(&c.value),
                c.modality
            )
        })
        .collect()
}

fn claims(text: &str) -> Vec<String> {
    claims_of("", text)
}

#[rstest]
// A deadline on the withdrawal as a whole.
#[case(
    "French troops will leave Mali by the end of 2025.",
    "ML/france/final deadline = end of 2025 (Planned)"
)]
// A numbered phase, and the last of two phases is the final departure.
#[case(
    "The pull-out of US troops from Iraq happens in two phases: the first phase ends by September 2025 and the second phase by September 2026.",
    "IQ/us/phase-1 deadline = September 2025 (Planned)"
)]
#[case(
    "The pull-out of US troops from Iraq happens in two phases: the first phase ends by September 2025 and the second phase by September 2026.",
    "IQ/us/final deadline = September 2026 (Planned)"
)]
// A named base from the gazetteer, and an open-class base.
#[case(
    "US troops will leave Bagram air base in Afghanistan by July 2025.",
    "AF/us/base-bagram deadline = July 2025 (Planned)"
)]
#[case(
    "Belgian soldiers handed the Ndala air base to the Congolese army on Thursday, the ministry said.",
    "CD/belgium/base-ndala status = completed (Completed)"
)]
#[case(
    "The last Belgian troops left Camp Meridian in Congo on Monday.",
    "CD/belgium/base-meridian status = completed (Completed)"
)]
// A rejected proposal is recorded as rejected.
#[case(
    "Baghdad rejected a proposal for US troops to leave Iraq by 2027.",
    "IQ/us/final deadline = 2027 (Rejected)"
)]
// Troop levels: what remains, what a cut brings it to.
#[case(
    "About 2,500 US troops remain in Iraq.",
    "IQ/us/drawdown troop_count = about 2,500 troops (Completed)"
)]
#[case(
    "Washington will reduce the number of American troops in Germany to 25,000.",
    "DE/us/drawdown troop_count = 25,000 troops (Planned)"
)]
#[case(
    "Some 2,000 French troops remain in the country, down from 3,500 a year ago, as France withdraws from Mali.",
    "ML/france/drawdown troop_count = about 2,000 troops (Completed)"
)]
// "has agreed to withdraw": the withdrawal's status.
#[case(
    "The United States has agreed to withdraw its troops from Niger.",
    "NE/us/final status = agreed (Planned)"
)]
// A completion with its day.
#[case(
    "France has completed its withdrawal from Niger. The last French soldiers left Niger on September 2.",
    "NE/france/final status = completed (Completed)"
)]
#[case(
    "France has completed its withdrawal from Niger. The last French soldiers left Niger on September 2.",
    "NE/france/final deadline = 2 September 2024 (Completed)"
)]
// The start of the withdrawal, told in several ways.
#[case(
    "A first battalion of the regional force began flying home on Saturday from eastern Congo, the East African regional force said.",
    "CD/eacrf/final status = in progress (Completed)"
)]
#[case(
    "Kenyan troops flew out of Goma on Sunday, marking the start of the EACRF withdrawal from Congo.",
    "CD/eacrf/final status = in progress (Completed)"
)]
// Old and new in one sentence: only the new one is claimed.
#[case(
    "Canada now plans to have all its troops out of Latvia by Oct. 20, instead of the June 1 deadline agreed last year.",
    "LV/canada/final deadline = 20 October 2024 (Planned)"
)]
// A deadline named by a hedged official stays, marked as such.
#[case(
    "The ministry said the withdrawal of French forces from Chad could be completed by the end of the year.",
    "TD/france/final deadline = end of 2024 (Speculative)"
)]
// The receiver's side: the host's army takes over the last base.
#[case(
    "Chadian forces took control of the Faya base on Friday after French troops withdrew from Chad.",
    "TD/france/base-faya status = completed (Completed)"
)]
// A halted withdrawal.
#[case(
    "The UN mission MONUSCO halted its withdrawal from Congo on Tuesday.",
    "CD/monusco/final status = postponed (Completed)"
)]
// A force named by where it is stationed keeps its deadline.
#[case(
    "Paris said the withdrawal of French forces stationed in northern Mali will be finished by March 2025.",
    "ML/france/final deadline = March 2025 (Planned)"
)]
// The host named as a party to a deal does not leave itself.
#[case(
    "Germany and Niger have agreed on a plan to withdraw German troops from Niger by August 2025.",
    "NE/germany/final deadline = August 2025 (Planned)"
)]
// A proposal refused in the clause after it.
#[case(
    "Washington had proposed a two-year pullout of its soldiers from Syria, which Damascus rejected.",
    "SY/us/final duration = 2 years (Rejected)"
)]
// The start of a pullout from some of the sites: a drawdown under way.
#[case(
    "Officials described the convoy as the beginning of a partial withdrawal of US troops from Afghanistan.",
    "AF/us/drawdown status = in progress (Completed)"
)]
// A date a change moved to: the new deadline, however long ago it moved.
#[case(
    "The withdrawal of Italian troops from Lebanon has been pushed back to March 2026, officials said.",
    "LB/italy/final deadline = March 2026 (Planned)"
)]
// The new date or length a change sets: "postponed to", "slowed to".
#[case(
    "Belgium postponed the withdrawal of its soldiers from Niger to December.",
    "NE/belgium/final deadline = December 2024 (Planned)"
)]
#[case(
    "Rome agreed to slow its timeline for the withdrawal of Italian troops from Iraq to about six months.",
    "IQ/italy/final deadline = March 2025 (Planned)"
)]
// An expected length ends a deadline ahead, marked as expected.
#[case(
    "Officials expect the Spanish pullout from Lebanon to last no more than 60 days.",
    "LB/spain/final deadline = 6 September 2024 to 5 November 2024 (Expected)"
)]
// Being back home is having left.
#[case(
    "Dutch troops will be back home from Mali by the end of November.",
    "ML/netherlands/final deadline = November 2024 (Planned)"
)]
// A phrasal change verb before its object.
#[case(
    "Sweden pushed back the withdrawal of its troops from Mali to November.",
    "ML/sweden/final deadline = November 2024 (Planned)"
)]
// Two clauses joined by "and", each with its subject, verb and date.
#[case(
    "Norway will replace its soldiers at the two airfields in Mali by June 30 and the first phase of the withdrawal would be completed by March 1.",
    "ML/norway/phase-1 deadline = 1 March 2025 (Planned)"
)]
#[case(
    "Norway will replace its soldiers at the two airfields in Mali by June 30 and the first phase of the withdrawal would be completed by March 1.",
    "ML/norway/final deadline = 30 June 2025 (Planned)"
)]
// "are deployed in" is the force's presence, with its size.
#[case(
    "About 1,200 Italian soldiers are deployed in Lebanon, and Rome has no plan to change that. In Niger, 300 Italian troops remain.",
    "LB/italy/drawdown troop_count = about 1,200 troops (Completed)"
)]
// "N of the M troops there": M is the force present, N the part leaving.
#[case(
    "London will withdraw about 400 of the roughly 1,100 British troops stationed in Estonia.",
    "EE/uk/drawdown troop_count = about 1,100 troops (Completed)"
)]
// A possessive with a compound force noun: "its border guards".
#[case(
    "Moscow will withdraw its border guards from Armenia by March 1.",
    "AM/russia/final deadline = 1 March 2025 (Planned)"
)]
// "handed it over": "it" is the base of the clause before.
#[case(
    "Kenyan troops left their camp at Oumara in Haiti on Sunday and handed it over to the Haitian police.",
    "HT/kenya/final status = in progress (Completed)"
)]
// A second verb of the same subject after "and" has its own date: the
// publication day of the first is not the deadline of the second.
#[case(
    "The Security Council said the mission stops its patrols on September 6 and must withdraw its 4,000 peacekeepers from Liberia by December 31.",
    "LR/foreign-forces/final deadline = 31 December 2024 (Planned)"
)]
// An acronym in the title case some outlets use.
#[case(
    "Monusco will leave Congo by December.",
    "CD/monusco/final deadline = December 2024 (Planned)"
)]
// What a report was denied to say is denied.
#[case(
    "London denies claims that Britain will keep 500 troops in Estonia.",
    "EE/uk/drawdown troop_count = 500 troops (Denied)"
)]
// "is expected to be completed": past the governing verb to the noun's own.
#[case(
    "The Danish pullout from Iraq is expected to be completed by November 30.",
    "IQ/denmark/final deadline = 30 November 2024 (Expected)"
)]
// A passive's agent is the force after "by".
#[case(
    "Two outposts in Kosovo were vacated by Polish troops on Monday, and Polish troops will leave Kosovo by March.",
    "XK/poland/final deadline = March 2025 (Planned)"
)]
// "out of Gabonese territory": a demonym and a land noun are the country.
#[case(
    "Italian troops are to be out of Gabonese territory by the end of October.",
    "GA/italy/final deadline = October 2024 (Planned)"
)]
// A participle after a contact relative clause takes the main verb's tense.
#[case(
    "Spain will withdraw its troops from the two camps it has run in Mauritania for years, completing its pullout from the country by June 30.",
    "MR/spain/final deadline = 30 June 2025 (Planned)"
)]
// ", completing the first stage": a past event completes the phase.
#[case(
    "Portugal is withdrawing from Guinea-Bissau. Local police took over two camps on Tuesday after Portuguese troops withdrew from them, completing the first stage of the plan.",
    "GW/portugal/phase-1 status = completed (Completed)"
)]
// "X said it would ...": the pronoun is the speaker (a verb of the
// irregular table is a verb even in no class).
#[case(
    "Belgium said it would withdraw its troops from Niger by the end of January.",
    "NE/belgium/final deadline = January 2025 (Planned)"
)]
// A fronted phase frames the sentence's event.
#[case(
    "Under the deal, Rwanda will leave Mozambique. In the first phase, units deployed in the north are to return home by the end of November.",
    "MZ/rwanda/phase-1 deadline = November 2024 (Planned)"
)]
// "pushing back the date for their complete withdrawal from A to B".
#[case(
    "Burundi has agreed to keep its troops in Somalia longer, pushing back the date for their complete withdrawal from March 31 to June 30.",
    "SO/burundi/final deadline = 30 June 2025 (Planned)"
)]
// "the peacekeepers" of an article naming one mission are that mission's.
#[case(
    "UNMIL has served in Liberia since 2003. The peacekeepers will leave Liberia by the end of March.",
    "LR/unmil/final deadline = March 2025 (Planned)"
)]
// Starting to leave a named region is the withdrawal under way.
#[case(
    "Moroccan troops in Sudan began withdrawing from North Darfur on Monday.",
    "SD/morocco/final status = in progress (Completed)"
)]
// Staying until a day is leaving that day; "until at least" is a floor.
#[case(
    "Kenya will withdraw from Haiti. Kenyan police will remain in Haiti until June 30, the ministry said.",
    "HT/kenya/final deadline = 30 June 2025 (Planned)"
)]
#[case(
    "Kenya will withdraw from Haiti. Kenyan police will remain in Haiti until at least June 30, the ministry said.",
    "HT/kenya/final deadline = not before 30 June 2025 (Planned)"
)]
// The object of a change verb is not the subject of a later clause, and a
// phrasal verb may be split by its object.
#[case(
    "Chile has moved up the departure of its last soldiers from Haiti by a month, to May 31, so that they can join an exercise in June.",
    "HT/chile/final deadline = 31 May 2025 (Planned)"
)]
#[case(
    "Chile will withdraw from Haiti. We have agreed to bring the withdrawal forward to May 31, a spokeswoman said.",
    "HT/chile/final deadline = 31 May 2025 (Planned)"
)]
// "X has N troops": the frame's force and its size.
#[case(
    "UNMIL will leave Liberia by March. UNMIL has about 3,700 peacekeepers from some 40 countries.",
    "LR/unmil/drawdown troop_count = about 3,700 troops (Completed)"
)]
// A holiday is a day.
#[case(
    "British troops will leave Iraq by Christmas, the ministry said.",
    "IQ/uk/final deadline = 25 December 2024 (Planned)"
)]
// A force inside a participle phrase describes the subject before it.
#[case(
    "The Nepali contingent serving with the UN mission in Lebanon will leave the country in December.",
    "LB/nepal/final deadline = December 2024 (Planned)"
)]
fn finds(#[case] text: &str, #[case] expected: &str) {
    let got = claims(text);
    assert!(
        got.iter().any(|c| c == expected),
        "{expected:?} not in {got:#?}"
    );
}

/// Each trap: the text, a claim it does make, and words no claim may carry.
#[rstest]
// History is not a deadline.
#[case(
    "US troops first invaded Iraq in 2003 and withdrew in 2011; the new plan is for US troops to leave Iraq by 2026.",
    "IQ/us/final deadline = 2026 (Planned)",
    "2011"
)]
// Another event's date.
#[case(
    "US troops will leave Iraq by December 2025, after the elections in October.",
    "IQ/us/final deadline = December 2025 (Planned)",
    "October"
)]
// Casualties are not troop counts.
#[case(
    "About 900 US troops remain in Syria after attacks killed 3 soldiers.",
    "SY/us/drawdown troop_count = about 900 troops (Completed)",
    "3 troops"
)]
// A start date is not a deadline.
#[case(
    "The withdrawal of US troops from Niger will start on May 1 and end by September 15.",
    "NE/us/final deadline = 15 September 2024 (Planned)",
    "May"
)]
// A plan is not a completion.
#[case(
    "The withdrawal of French troops from Niger will be completed by December.",
    "NE/france/final deadline = December 2024 (Planned)",
    "completed ("
)]
// Another force's withdrawal in the same article.
#[case(
    "US troops will leave Afghanistan by May 2025. Germany and Italy brought their last soldiers home at the end of June.",
    "AF/us/final deadline = May 2025 (Planned)",
    "June"
)]
// A level in other countries, named before the number.
#[case(
    "US troops will leave Germany by May 2025. In Iraq, the US cut its troops to 2,500.",
    "DE/us/final deadline = May 2025 (Planned)",
    "DE/us/drawdown troop_count"
)]
// Troops sent somewhere: "to 12 bases" is no level, arriving is no leaving.
#[case(
    "US troops will leave Iraq by 2026; some troops were moved to 12 bases in Syria.",
    "IQ/us/final deadline = 2026 (Planned)",
    "troop_count"
)]
// Talks held somewhere do not make it the host.
#[case(
    "Talks on the pullout of Russian troops from Moldova were held in Geneva on Monday; the troops will be gone by March 2025.",
    "MD/russia/final deadline = March 2025 (Planned)",
    "CH/"
)]
// The host's own army taking over is not a force leaving.
#[case(
    "The Malian army took over the Gao base after French troops left Mali.",
    "ML/france/base-gao status = completed (Completed)",
    "ML/mali"
)]
// A contingent of a mission leaving is progress, not the end of the mission.
#[case(
    "The Ugandan contingent of the East African regional force has completed its withdrawal from Congo.",
    "CD/eacrf/final status = in progress (Completed)",
    "completed (Completed)"
)]
// "could" in a trailing clause does not make the official deadline speculative.
#[case(
    "French troops will leave Chad by January 31, although bad weather could slow the convoys.",
    "TD/france/final deadline = 31 January 2025 (Planned)",
    "Speculative"
)]
// A completion said after "after", "once", "until" lies ahead.
#[case(
    "British troops will leave Estonia by June 2025, and the base will stay open even after the withdrawal is complete.",
    "EE/uk/final deadline = June 2025 (Planned)",
    "completed ("
)]
// Reported as a plan with a time ahead, a participle is no departure done.
#[case(
    "Officials said last week that French soldiers would leave Chad by March, with the rest departing by the end of 2025.",
    "TD/france/final deadline = end of 2025 (Planned)",
    "in progress"
)]
// Finishing the plan for a withdrawal is not finishing the withdrawal;
// agreeing on it is agreeing to withdraw.
#[case(
    "Kenya and Somalia finalised a plan for the withdrawal of Kenyan troops from Somalia, and agreed on a timetable for the staged departure of the Kenyan contingent from Somalia.",
    "SO/kenya/final status = agreed (Planned)",
    "completed ("
)]
// A plan said in the future tense is announced; of some troops, a drawdown.
#[case(
    "Belgium will pull some of its soldiers out of Niger, the defence ministry said.",
    "NE/belgium/drawdown status = announced (Planned)",
    "NE/belgium/final"
)]
// "its 4,000 soldiers" is the whole force, not a part of it.
#[case(
    "The Netherlands is to withdraw its roughly 4,000 soldiers from Lithuania by June 2025.",
    "LT/netherlands/final deadline = June 2025 (Planned)",
    "drawdown status"
)]
// A base owned by a place: the base is what is left.
#[case(
    "Italian troops left Kabul's Warehouse airport on Monday, the ministry said.",
    "AF/italy/base-warehouse status = completed (Completed)",
    "AF/italy/final status"
)]
// The verb before the noun governs it, not a relative clause after it.
#[case(
    "The new chancellor has halted the withdrawal of Canadian troops from Latvia that was ordered last spring.",
    "LV/canada/final status = postponed (Completed)",
    "announced"
)]
// "called for a pullout in June" (read in September) dates the call.
#[case(
    "The prime minister called for a pullout of Spanish troops from Lebanon in June, and the troops will leave by March.",
    "LB/spain/final deadline = March 2025 (Planned)",
    "June"
)]
// An organisation's troops, where it fields one mission, are that mission.
#[case(
    "SADC troops began pulling out of Mozambique on Monday.",
    "MZ/samim/final status = in progress (Completed)",
    "foreign-forces"
)]
// A possessive pronoun before a noun event is the subject's; a mission left
// is left where it serves; a fronted "by" is the deadline.
#[case(
    "By the end of 2025, Irish soldiers are to end their involvement in UNIFIL, officials said.",
    "LB/ireland/final deadline = end of 2025 (Planned)",
    "Other"
)]
// A headline's "X to withdraw" is a plan.
#[case(
    "Portugal to withdraw troops from the Central African Republic by end 2025",
    "CF/portugal/final deadline = end of 2025 (Planned)",
    "completed"
)]
// The second batch leaving is that phase done, also when told in a relative clause.
#[case(
    "The second batch of Turkish engineers, who left Somalia on Monday, arrived home.",
    "SO/turkey/phase-2 status = completed (Completed)",
    "SO/turkey/final status = completed"
)]
// "no troops will leave" is denied, not planned.
#[case(
    "Polish troops will stay in Latvia, and no Polish troops will leave Latvia before 2026, the minister said.",
    "LV/poland/final deadline = 2026 (Denied)",
    "announced"
)]
// Halting a planned pullout is a fact about the pullout; "frozen" is freeze.
#[case(
    "The new government has frozen the planned withdrawal of Spanish troops from Lebanon.",
    "LB/spain/final status = postponed (Completed)",
    "announced"
)]
// The day something was said is not the deadline said.
#[case(
    "Danish troops will leave Iraq on November 30, the defence minister said on Tuesday.",
    "IQ/denmark/final deadline = 30 November 2024 (Planned)",
    "September"
)]
// "it is time for them to come home" is a wish, not a departure.
#[case(
    "Now it is time for Canadian troops to come home from Latvia, the senator said.",
    "LV/canada/final status = announced (Planned)",
    "completed"
)]
// The day one member left dates no milestone of the whole mission.
#[case(
    "Last month, Kenya withdrew its troops from the EACRF in Congo. The rest of the regional force will leave Congo by December.",
    "CD/eacrf/final deadline = December 2024 (Planned)",
    "August"
)]
// Some of the places is part of the withdrawal, not its end.
#[case(
    "Norway will replace its soldiers in one of the two airfields in Mali by March 1.",
    "ML/norway/drawdown deadline = 1 March 2025 (Planned)",
    "final"
)]
// Posts at a named airport are where that airport is, not in the other
// country the article reports on.
#[case(
    "Turkish engineers who have run the Aden Adde international airport in Somalia for a decade will leave their posts by March 1, officials in Ankara said. Turkish troops continue to withdraw from Qatar.",
    "SO/turkey/base-aden-adde deadline = 1 March 2025 (Planned)",
    "QA/turkey/final deadline"
)]
// A withdrawal said to be complete is not also under way because a base was
// handed over on the way.
#[case(
    "Belgian troops handed the Kamina base over to the Congolese army on Monday. With that handover, Belgium has completed its withdrawal from Congo.",
    "CD/belgium/final status = completed (Completed)",
    "in progress"
)]
// "headway in replacing" names the event; it does not say it is done.
#[case(
    "The two governments welcomed headway in replacing Norwegian soldiers with civilians at the airfields in Mali. Norway will complete the withdrawal by March 1.",
    "ML/norway/final deadline = 1 March 2025 (Planned)",
    "completed"
)]
// One of several places left is the withdrawal under way, not its end.
#[case(
    "Norwegian soldiers at one such airfield in Mali have now been replaced by civilian crews.",
    "ML/norway/final status = in progress (Completed)",
    "completed"
)]
#[case(
    "Norway has also pulled its soldiers off the second airfield in Mali.",
    "ML/norway/final status = in progress (Completed)",
    "completed"
)]
// "is completing" is still under way.
#[case(
    "Italy is completing its withdrawal from Lebanon.",
    "LB/italy/final status = in progress (Completed)",
    "completed"
)]
// Going home to one's own country is leaving; going to the host is arriving.
#[case(
    "Dutch troops are leaving Mali. They will return to the Netherlands by the end of May, officials said. Other Dutch troops will return to Mali in June.",
    "ML/netherlands/final deadline = May 2025 (Planned)",
    "June"
)]
// All of one town is part of the country.
#[case(
    "Minusma has withdrawn completely from Timbuktu.",
    "ML/minusma/final status = in progress (Completed)",
    "completed"
)]
// Leaving posts named before is a part: "withdrew from them".
#[case(
    "Portugal is withdrawing from Guinea-Bissau. Local police took over two camps on Tuesday after Portuguese troops withdrew from them, completing the first stage of the plan.",
    "GW/portugal/phase-1 status = completed (Completed)",
    "final status = completed"
)]
// "pulled back from parts of" a place is a part of the withdrawal.
#[case(
    "Turkish troops pulled back from parts of northern Cyprus on Friday.",
    "CY/turkey/final status = in progress (Completed)",
    "completed"
)]
// A participle clause whose sentence plans: not done yet.
#[case(
    "Spain will withdraw its troops from the two camps it has run in Mauritania for years, completing its pullout from the country by June 30.",
    "MR/spain/final status = announced (Planned)",
    "completed"
)]
// A past tense after "as" under "would" is a moment ahead told in the past.
#[case(
    "Kenya will leave Somalia by June. The Somali army said it would keep deploying as Kenyan units left their camps in Somalia.",
    "SO/kenya/final deadline = June 2025 (Planned)",
    "completed"
)]
// A reporting verb lends no tense to a participle: "units leaving" is no
// departure under way.
#[case(
    "Canada will withdraw 300 of its troops from Latvia. An official said some of the units leaving Latvia could be sent to Poland.",
    "LV/canada/drawdown status = announced (Planned)",
    "in progress"
)]
// Being ready to take over the posts is not having taken them.
#[case(
    "Ghana will withdraw its troops from Liberia by May. The Liberian army was ready to take over all the positions held by the Ghanaians.",
    "LR/ghana/final deadline = May 2025 (Planned)",
    "completed"
)]
// "pulling 600 soldiers out" is a part, even inside a split verb.
#[case(
    "Ugandan troops began leaving Somalia on Monday, pulling about 600 soldiers out of the south.",
    "SO/uganda/final status = in progress (Completed)",
    "completed"
)]
// What is left in place "as the only remaining site" stays.
#[case(
    "Belgian troops left Camp Tilia in Mali on Friday, leaving Camp Lima as Belgium's only remaining site in Mali.",
    "ML/belgium/base-tilia status = completed (Completed)",
    "base-lima"
)]
// An authorised ceiling is no count of the troops there.
#[case(
    "UNMISS will leave South Sudan by 2027. The authorised troop ceiling of the mission will be reduced to 6,000 in July.",
    "SS/unmiss/final deadline = 2027 (Planned)",
    "6,000"
)]
// Leaving a named region (a compass word, not in the lexicon) is a part.
#[case(
    "Sudan said Moroccan troops withdrew from North Darfur on Monday.",
    "SD/morocco/final status = in progress (Completed)",
    "completed"
)]
// "a process to be completed": an infinitive is not done.
#[case(
    "Israel will leave Lebanon within 60 days. The Khiam move was the first step in a process to be completed within the 60 days.",
    "LB/israel/final status = announced (Planned)",
    "completed"
)]
// "its some 200-400 personnel": a number after a possessive, even a range
// hedged with "some", is the whole of that force.
#[case(
    "Spain said it would withdraw its some 150-250 special forces personnel from Chad.",
    "TD/spain/final status = announced (Planned)",
    "drawdown"
)]
fn does_not_find(#[case] text: &str, #[case] made: &str, #[case] absent: &str) {
    let got = claims(text);
    assert!(got.iter().any(|c| c == made), "{made:?} not in {got:#?}");
    assert!(
        !got.iter().any(|c| c.contains(absent)),
        "{absent:?} found in {got:#?}"
    );
}

/// Other meanings of "withdraw" make no claim at all.
#[rstest]
#[case("Russia will withdraw from the arms treaty by the end of 2025.")]
#[case("The candidate withdrew from the race on Monday.")]
#[case("The bank withdrew its offer after the talks failed.")]
#[case("Ten soldiers were killed in an ambush near the base last week.")]
#[case("Parliament left the vote until after the summer recess.")]
#[case("The rebel delegation withdrew from peace talks in Oslo on Thursday.")]
#[case("Aid groups struggled to fill the gap left by the departure of the contractors.")]
fn negatives_stay_silent(#[case] text: &str) {
    let got = claims(text);
    assert!(got.is_empty(), "{got:#?}");
}

#[test]
fn the_headline_names_the_withdrawal_a_sentence_only_implies() {
    let got = claims_of(
        "Germany pulls its troops out of Mali",
        "The last soldiers left on Tuesday, the defence ministry said.",
    );
    assert!(
        got.iter()
            .any(|c| c == "ML/germany/final status = completed (Completed)"),
        "{got:#?}"
    );
}

/// A decision on the plan said anywhere in the article makes its planned
/// dates decided ones (an update, not two outlets disagreeing); a date when
/// something happened stays a plain report.
#[test]
fn a_plan_adopted_in_the_article_marks_its_planned_dates_as_decided() {
    let lex = Lexicon::shared();
    let article = |text: &str| Article {
        title: String::new(),
        source: Some("Wire".into()),
        url: None,
        path: None,
        published: NaiveDate::from_ymd_opt(2024, 9, 6).unwrap_or_default(),
        text: text.into(),
    };
    let wording = |text: &str| -> Vec<(String, Option<String>)> {
        extract(&article(text), lex)
            .into_iter()
            .filter(|c| c.attribute == crate::model::Attribute::Deadline)
            .map(|c| (c.text, c.change_wording))
            .collect()
    };
    let decided = wording(
        "Defence chiefs meeting in Accra adopted the exit plan on Tuesday. \
         Ghanaian troops will leave Liberia by March 31, 2025.",
    );
    assert!(
        decided.iter().any(|(_, w)| w.as_deref() == Some("adopted")),
        "{decided:?}"
    );
    let reported = wording("Ghanaian troops will leave Liberia by March 31, 2025.");
    assert!(
        !reported.is_empty() && reported.iter().all(|(_, w)| w.is_none()),
        "{reported:?}"
    );
    let happened = wording(
        "Defence chiefs adopted the exit plan in May. The last Ghanaian troops left Liberia on Monday.",
    );
    assert!(
        !happened.is_empty() && happened.iter().all(|(_, w)| w.is_none()),
        "{happened:?}"
    );
}

/// A value said twice keeps the mention that says it was changed, and the
/// speaker of the first.
#[test]
fn a_restated_value_keeps_its_change_wording() {
    let lex = Lexicon::built_in().unwrap_or_else(|e| panic!("lexicon: {e}"));
    let article = Article {
        title: String::new(),
        source: Some("Wire".into()),
        url: None,
        path: None,
        published: NaiveDate::from_ymd_opt(2024, 9, 6).unwrap_or_default(),
        text: "Ghanaian troops will leave Liberia by March 31, 2025, Defence Minister Kofi Mensah said. \
               Both sides agreed that Ghanaian troops will leave Liberia by March 31, 2025."
            .into(),
    };
    let deadlines: Vec<_> = extract(&article, &lex)
        .into_iter()
        .filter(|c| c.attribute == crate::model::Attribute::Deadline)
        .collect();
    assert_eq!(deadlines.len(), 1, "{deadlines:#?}");
    assert_eq!(deadlines[0].change_wording.as_deref(), Some("agreed"));
    assert_eq!(
        deadlines[0].attributed_to.as_deref(),
        Some("Defence Minister Kofi Mensah")
    );
}
