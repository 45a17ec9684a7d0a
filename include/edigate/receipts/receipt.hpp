// receipt.hpp - agency receipts read into one shape, and the keys that tie a receipt to the output it answers.
//
// The gateway sends XML outputs to the agencies and they answer with receipts. read_receipt says
// which agency answered, which message type it answers, the verdict (accepted, rejected, pending,
// partial) with the agency's own code and text, the per-bill / per-container results, and the keys
// (bill of lading, container, ClientSeqNo, guid, orderNo...) that the receipt carries. output_keys
// gives the same keys for an output the gateway sent, so a receipt is tied to its output by
// `receipt.answers == output_type(output)` and a shared key. Both read with xml::read_memory (the
// hardened reader: no DOCTYPE, bounded sizes, any declared encoding, GB18030 included, text out as
// UTF-8), on the generic node tree; namespaced and unqualified roots are both accepted.
//
// Failures are values: read_receipt returns nullopt with an EDI-R001 diagnostic (what the
// document is, and what it is not) for anything that is not a receipt we know: unreadable XML
// (the reader's finding and position are kept in the text and position), an output such as an
// MT1101 Declaration, another XML format, a known receipt without its result code. A receipt we
// understood that carries no key at all comes back with an EDI-R002 warning in `problem`.
// output_keys and output_type never fail: they give nothing for what they do not know.
//
// Formats read (the real ones from ../shared/agency-formats/<folder>/SPEC.md, samples there):
//
//   "customs-manifest-response"  agency "customs", REAL (customs-manifest SPEC §8, Wuhan MT4101/MT5101 responses).
//     <Manifest> (unqualified, or in urn:Declaration:datamodel:standard:CN:<type>:1) with Head and Response:
//     answers Head/MessageType (MT1101..MT5101, MT2301...), agency_reference Head/MessageID (the response's own).
//     Response/ResponseType/Code 01 accepted, 03 rejected, any other code pending (code kept).
//     Items: each Consignment (keyed by its house bill when it has one, else its bill) and each
//     EquipmentIdentification/ResponseType pair of TransportEquipment (pairs may repeat in one element).
//     Keys: bill, house_bill, container, voyage (BorderTransportMeans/JourneyID), ship (BorderTransportMeans/ID).
//   "dec-import-response"  agency "customs", REAL (customs-declaration SPEC §5.1, DecImportResponse sample).
//     <DecImportResponse> in http://www.chinaport.gov.cn/dec (the real one is ns2: prefixed) or unqualified:
//     answers "DecMessage", ResponseCode 0 accepted, anything else rejected; text ErrorMessage;
//     agency_reference SeqNo (统一编号, empty when refused). Keys: client_seq (ClientSeqNo), seq_no (SeqNo).
//   "ceb-return"  agency "ecommerce", REAL (cross-border-ecommerce-ceb SPEC "Receipts", xsd-202205).
//     <CEBnnnMessage> in http://www.chinaport.gov.cn/ceb (or unqualified; `CEB214` without `Message` too)
//     holding *Return nodes (OrderReturn, InventoryReturn, LogisticsReturn...): answers CEB<nnn-1>
//     (CEB312 answers CEB311). returnStatus per the XSD annotations: 120 海关入库, 399 海关审结,
//     800 放行, 899 结关 accepted; 4 发送海关失败, 100 海关退单 and negative values rejected; 1, 2, 3,
//     300, 500..., and any other value pending. Text returnInfo; agency_reference invtNo, else preNo.
//     Several Return nodes: one item each, and the receipt's verdict is theirs when they agree,
//     partial when some are accepted and some rejected, pending otherwise.
//     Keys: guid, order (orderNo), inventory (copNo, coElNo, invtNo), logistics (logisticsNo),
//     payment (payTransactionId, payNo), bill (billNo). The XSD says the e-port generates the
//     Return's guid; in every official sample it is the request's guid, so it is a key, but orderNo
//     (or copNo, logisticsNo...) is the one to trust.
//   "ceb-message-return"  agency "ecommerce", REAL: CEB900 MessageReturn (format check): answers
//     oriMessageType without "Message" ("CEB311"; empty for "Unknown"), returnStatus as above.
//     Keys: guid, dxp_message (oriCopMsgId), and the output keys of oriBizMessage when it holds the
//     original message (as XML text or base64).
//   DxpMsg (http://www.chinaport.gov.cn/dxp, REAL: customs-declaration SPEC §5.3, the DxpMsg of
//     DecImportResponse-and-DxpMsg-receipt-sample.txt): the transport envelope of a real inbound
//     receipt. Data is base64 of the receipt, which is read as above (one level: a DxpMsg inside a
//     DxpMsg is refused); TransInfo/CopMsgId is added as a dxp_message key (in the real receipt it
//     is the enterprise's DXP id followed by the ClientSeqNo, as is the CopMsgId of the DxpMsg we send).
//
// Reconstructed formats (no spec or sample of the answer exists; shapes ours, written in the spirit
// of each SPEC.md; samples in samples/agency/receipts/):
//
//   "dec-result"  agency "customs": the asynchronous declaration status receipts of customs-declaration
//     SPEC §5.2 (入库/退单/查验/放行/结关), modelled as the SPEC says, {SeqNo, EntryId, NoticeDate,
//     Channel, Note}: <DecResult> (unqualified or in the dec namespace), answers "DecMessage", Channel
//     read with the customs status codes of the CEB returns (below: 120 入库, 800 放行, 899 结关
//     accepted, 100 退单 rejected, 500 查验 and the others pending), text Note, agency_reference
//     EntryId (else SeqNo). Keys: seq_no, entry (EntryId). They carry no ClientSeqNo: the gateway
//     ties them to the declaration through the SeqNo its DecImportResponse gave (the keys of a
//     receipt are added to the output it answers). Samples: decmessage-decresult-*.xml.
//
//   "ciq-receipt"  agency "ciq". Source: ciq-inspection SPEC §4, which says to model the receipt
//     as {ENT_DECL_NO, DECL_NO, Status, ClearanceSlipNo, Note, Time}. Written like our CIQ record
//     (xsd/ciq-inspection.xsd: UPPER_SNAKE eCIQ column names), the same root with the record replaced
//     by the receipt, as the customs manifests do:
//       <DCL_IO_DECL_MESSAGE> <MESSAGE_HEAD> MESSAGE_ID, MESSAGE_TYPE (DCLIO), SENDER, RECEIVER, SEND_TIME, VERSION
//         <DCL_IO_DECL_RECEIPT> ENT_DECL_NO, DECL_NO?, STATUS, CLEARANCE_SLIP_NO?, NOTE?, TIME?
//     STATUS (our codes, after the SPEC's 受理/退回, 施检/免验 and 通关单): 1 受理 accepted, 2 退回
//     rejected, 3 施检 pending (inspection ordered), 4 免验 accepted, 5 通关单已签发 accepted; others pending.
//     answers MESSAGE_TYPE ("DCLIO"); agency_reference DECL_NO (报检号). Keys: client_seq (ENT_DECL_NO).
//   "border-answer"  agency "border". Source: border-inspection-paxlst SPEC §3 (the crew-list
//     record) and FLOWS.md F6 (acceptance/denial); our crew list's Head is modelled on the manifest
//     Head, so the answer follows the manifest receipt (same root, Response instead of the body):
//       <CrewPassengerList> <Head> MessageID, ListType, SenderID, ReceiverID, SendTime, Version
//         <Response> OriginalMessageID, Voyage(IMONumber, VoyageNumber, Direction),
//                    Person*(SequenceNumber, ResponseType(Code, Text)), ResponseType(Code, Text)
//     Codes as the manifest's: 01 accepted, 03 rejected, others pending. Items: person (the
//     SequenceNumber in the list; no names or passport numbers, SPEC §4). answers "CrewPassengerList".
//     Keys: message (OriginalMessageID = the crew list's Head/MessageID), voyage, ship (IMO number).
//   "maritime-answer"  agency "maritime". Source: maritime-fal SPEC §1 (the arrival report) and
//     FLOWS.md F7 (MSA acceptance); shaped like the border answer:
//       <ShipReport> <Head> MessageID, ReportType, SenderID, ReceiverID, SendTime, Version
//         <Response> OriginalMessageID, Ship(IMONumber), Voyage(VoyageNumber), ResponseType(Code, Text)
//     Codes 01 accepted, 03 rejected, others pending. answers "ShipReport". Keys: message, voyage, ship.
//
// Keys are matched exactly (kind and value). A voyage, ship or bill is shared by several outputs
// of one call (MT1101, ship report, DecMessage), so a key alone is not enough: compare `answers`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/core/diagnostic.hpp"

namespace edigate::receipts {

enum class verdict {
    accepted,  ///< the agency took the output (01, 0, 120/399...)
    rejected,  ///< the agency refused it; code and text say why
    pending,   ///< in progress or not final (CEB 2/3, CIQ 施检, an unknown manifest code)
    partial,   ///< some items accepted, some rejected
};

std::string_view to_string(verdict v) noexcept;

/// Something a receipt and the output it answers both carry. Kinds:
///   "bill"        master bill of lading (manifest TransportContractDocument/ID, CEB billNo)
///   "house_bill"  house bill of lading (manifest AssociatedTransportDocument/ID)
///   "container"   container number (EquipmentIdentification/ID)
///   "voyage"      voyage number (manifest BorderTransportMeans/JourneyID, VoyageNumber)
///   "ship"        ship identifier, the IMO number (manifest BorderTransportMeans/ID, IMONumber)
///   "client_seq"  the client's own number of a declaration: DecMessage DecSign/ClientSeqNo, CIQ ENT_DECL_NO
///   "guid"        CEB guid of the business node
///   "order"       CEB orderNo
///   "inventory"   CEB copNo / coElNo / invtNo
///   "logistics"   CEB logisticsNo
///   "payment"     CEB payTransactionId / payNo
///   "message"     the output's own Head/MessageID, echoed by the border and maritime answers
///   "dxp_message" DxpMsg TransInfo/CopMsgId (CEB900 oriCopMsgId)
///   "person"      only as an item: the SequenceNumber of a person in a crew list
struct key {
    std::string kind, value;
    friend bool operator==(const key&, const key&) = default;
};

/// The result for one bill, container, CEB Return node or person.
struct item {
    key what;
    verdict result = verdict::pending;
    std::string code, text;  ///< as the agency gave them
};

struct receipt {
    std::string format;            ///< "customs-manifest-response", "dec-import-response", "ceb-return", "ceb-message-return",
                                   ///< "ciq-receipt", "border-answer", "maritime-answer"
    std::string agency;            ///< our mappings/ folder of that agency: "customs", "ecommerce", "ciq", "border", "maritime"
    std::string answers;           ///< the message type answered: "MT1101", "DecMessage", "CEB311", "DCLIO", "ShipReport"...
    verdict result = verdict::pending;
    std::string code, text;        ///< the agency's code as given ("01", "0", "120"...) and its text
    std::string agency_reference;  ///< what the agency calls it: manifest response MessageID, SeqNo, CEB invtNo/preNo, CIQ DECL_NO...
    std::vector<key> keys;         ///< what ties it to the output it answers; each (kind, value) once, in document order
    std::vector<item> items;       ///< per-bill / per-container / per-Return / per-person results, in document order
};

/// Reads one receipt; `name` is used in messages. nullopt with an EDI-R001 `problem` when the
/// document is not a receipt we know. Otherwise `problem` is cleared, or holds an EDI-R002
/// warning when the receipt carries no key.
std::optional<receipt> read_receipt(std::string_view xml, const std::string& name, core::diagnostic& problem);

/// The keys a receipt answering this output would carry: MT1101..MT5101 its bills, house bills,
/// containers, voyage and ship; DecMessage (also inside ImportMessage or a DxpMsg) its ClientSeqNo;
/// CEB311 and the other CEB requests guid plus orderNo / copNo / logisticsNo...; the CIQ record its
/// ENT_DECL_NO; the crew list and the ship report their MessageID, voyage and ship. Empty for a
/// document nobody answers by key (a receipt, the logistics-monitoring MESSAGE, non-XML).
std::vector<key> output_keys(std::string_view xml, const std::string& name);

/// The message type of an output as `receipt::answers` names it ("MT1101", "DecMessage",
/// "CEB311", "DCLIO", "CrewPassengerList", "ShipReport"); empty when no receipt we know answers it.
std::string output_type(std::string_view xml, const std::string& name);

}  // namespace edigate::receipts
