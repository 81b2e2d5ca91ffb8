/** The words the sharing pages show for the API's enums. */
import type { NeedStatus, ResourceKind, ShareRequestStatus, ShareScope } from "../gql/graphql";

export const KIND_NAMES: Record<ResourceKind, string> = {
  VENUE: "场地",
  EQUIPMENT: "设备",
  GOODS: "物资",
  EXPERTISE: "专业服务",
  FUNDS: "资金",
  VOLUNTEERS: "志愿者",
};

export const SCOPE_NAMES: Record<ShareScope, string> = { STREET: "本街道", DISTRICT: "全区", ALL: "全平台" };

export const REQUEST_NAMES: Record<ShareRequestStatus, string> = {
  REQUESTED: "待审批",
  APPROVED: "已批准",
  DECLINED: "已拒绝",
  SCHEDULED: "已排期",
  DELIVERED: "已交付",
  CANCELLED: "已取消",
};

export const NEED_NAMES: Record<NeedStatus, string> = { OPEN: "待认领", CLAIMED: "已认领", COMPLETED: "已完成" };
